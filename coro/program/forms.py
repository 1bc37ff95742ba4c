from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coro.core.languages import language_choices
from coro.orgs.disclosure import MAX_LENGTH, PLACEHOLDER, disclosure_default
from coro.orgs.models import Organisation
from coro.program.models import TERMS_PARTS, Terms

TEXT_MAX_LENGTH = 5000


def _field_name(part: str, language: str) -> str:
    return f"{part}_{language}"


class TermsForm(forms.Form):
    """The next version of the terms, in every language, prefilled with the current one.

    A language may be left empty (both parts); at least one must be written.
    """

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
                    _field_name(part, language): parts.get(part, "")
                    for language, parts in current.texts.items()
                    for part in TERMS_PARTS
                },
            )
        super().__init__(*args, **kwargs)
        confirm = self.fields.pop("confirm")
        labels = {
            "offer": _("What the company offers (%(language)s)"),
            "commitment": _("What a participant agrees to (%(language)s)"),
        }
        helps = {
            "offer": _("For example: social media use at work, training, recognition."),
            "commitment": _(
                "For example: list the employer on their profile, pass on messages they find "
                "worthwhile."
            ),
        }
        for index, (language, name) in enumerate(language_choices()):
            for part in TERMS_PARTS:
                self.fields[_field_name(part, language)] = forms.CharField(
                    label=labels[part] % {"language": name},
                    help_text=helps[part] if index == 0 else "",
                    max_length=TEXT_MAX_LENGTH,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 5, "lang": language}),
                )
        self.fields["confirm"] = confirm

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        texts: dict[str, dict[str, str]] = {}
        for language, _name in language_choices():
            parts = {p: cleaned.get(_field_name(p, language), "").strip() for p in TERMS_PARTS}
            if not any(parts.values()):
                continue
            for part, text in parts.items():
                if not text:
                    self.add_error(
                        _field_name(part, language),
                        _("Write both parts in this language, or leave both empty."),
                    )
            texts[language] = parts
        if not texts and not self.errors:
            raise forms.ValidationError(_("Write the terms in at least one language."))
        cleaned["texts"] = texts
        return cleaned


class DisclosureForm(forms.Form):
    """The disclosure's wording, in every language. Blank means the default."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {f"disclosure_{code}": text for code, text in organisation.disclosure.items()},
        )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for code, name in language_choices():
            self.fields[f"disclosure_{code}"] = forms.CharField(
                label=name,
                max_length=MAX_LENGTH,
                required=False,
                widget=forms.TextInput(
                    attrs={"placeholder": disclosure_default(code), "lang": code}
                ),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wordings: dict[str, str] = {}
        for code, _name in language_choices():
            field = f"disclosure_{code}"
            wording = str(cleaned.get(field) or "").strip()
            # Rewording must not become a silent removal: the text still says where you work.
            if (
                wording
                and PLACEHOLDER not in wording
                and self.organisation.name.casefold() not in wording.casefold()
            ):
                self.add_error(
                    field,
                    _("Say where you work: keep %(placeholder)s or write the organisation's name.")
                    % {"placeholder": PLACEHOLDER},
                )
            if wording:
                wordings[code] = wording
        cleaned["disclosure"] = wordings
        return cleaned


class DisclosureOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the disclosure switched off?"),
        help_text=_(
            "Required. It is recorded in the audit trail and shown to every person "
            "on their transparency page."
        ),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PrivacyForm(forms.Form):
    min_group_size = forms.IntegerField(
        label=_("Smallest group shown"),
        min_value=settings.MIN_GROUP_SIZE_FLOOR,
        max_value=1000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_group_size"].help_text = _(
            "Numbers about teams with fewer people than this are merged into “Other”. "
            "It can never be below %(floor)s."
        ) % {"floor": settings.MIN_GROUP_SIZE_FLOOR}
