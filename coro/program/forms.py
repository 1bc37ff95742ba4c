from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coro.program.models import Terms

TEXT_MAX_LENGTH = 5000


def _text_field(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class TermsForm(forms.Form):
    """The next version of the terms, prefilled with the current one."""

    offer_es = _text_field(
        _("What the company offers (Spanish)"),
        _("For example: social media use at work, training, recognition."),
    )
    offer_en = _text_field(_("What the company offers (English)"), "")
    commitment_es = _text_field(
        _("What a participant agrees to (Spanish)"),
        _(
            "For example: list the employer on their profile, pass on messages they find "
            "worthwhile."
        ),
    )
    commitment_en = _text_field(_("What a participant agrees to (English)"), "")
    confirm = forms.BooleanField(
        label=_("Enrolled people will be asked to accept this version."),
        help_text=_(
            "A published version never changes. Until they accept it, people stay in the "
            "program under the version they accepted."
        ),
    )

    def __init__(self, *args: Any, current: Terms | None = None, **kwargs: Any) -> None:
        self.current = current
        if current is not None:
            kwargs.setdefault(
                "initial",
                {
                    "offer_es": current.offer_es,
                    "offer_en": current.offer_en,
                    "commitment_es": current.commitment_es,
                    "commitment_en": current.commitment_en,
                },
            )
        super().__init__(*args, **kwargs)
