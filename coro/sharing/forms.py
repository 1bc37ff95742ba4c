from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coro.content.counter import CountedTextarea
from coro.content.forms import DateTimeLocalInput
from coro.networks import Network, too_long, too_long_message

# "Post now" or "Schedule it" (``PostScheduleForm``'s ``when``).
NOW, LATER = "now", "later"

# The hidden field holding the person's tracked link, which the live counter counts with.
LINK_FIELD = "link"


def newlines_unified(text: str) -> str:
    """Browsers send a textarea's line breaks as CR LF; the text that leaves uses LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class ShareForm(forms.Form):
    """The person's own words for one share, with the network's live counter. What may go
    out is checked by ``services.share_text_check``, where the rules live."""

    text = forms.CharField(label=_("Your text"), required=False)

    def __init__(
        self,
        *args: Any,
        network: Network,
        org_code: str,
        count_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The text already ends with the disclosure (the person may change it): the counter
        # counts the text as it stands, with the tracked link, as ``network`` counts (the
        # person's own server's rule, asked at ``count_url``).
        self.fields["text"].widget = CountedTextarea(
            network.key,
            org_code=org_code,
            network=network,
            count_url=count_url,
            link_field=LINK_FIELD,
            disclosure=False,
            attrs={"rows": 9, "aria-describedby": "share-hints"},
        )

    def errors_described(self) -> None:
        """The field is marked invalid; its errors are in the hints region it is described
        by (``share-hints``), which the live check keeps up to date."""
        self.fields["text"].widget.attrs["aria-invalid"] = "true"
        # After an htmx answer, the focus goes back to the field (coro.js).
        self.fields["text"].widget.attrs["data-focus-after-swap"] = ""

    def clean_text(self) -> str:
        text = newlines_unified(str(self.cleaned_data["text"]))
        # Refused before anything counts or compares it (it could be megabytes).
        if too_long(text):
            raise ValidationError(too_long_message(), code="too_long_for_coro")
        return text


class PostScheduleForm(forms.Form):
    """Posting on the person's own connected account: their words, and when to post them,
    now or at the time they pick (in the organisation's time zone, which ``org_view`` makes
    the current one). What may go out is checked by ``posting.scheduled_post_create``."""

    text = forms.CharField(label=_("Your text"), widget=forms.Textarea(attrs={"rows": 9}))
    when = forms.ChoiceField(
        choices=[(NOW, _("Now")), (LATER, _("At a time I choose"))],
        initial=NOW,
        widget=forms.HiddenInput,
    )
    run_at = forms.DateTimeField(label=_("When"), required=False, widget=DateTimeLocalInput())

    def clean_text(self) -> str:
        text = newlines_unified(str(self.cleaned_data["text"])).strip()
        if too_long(text):
            raise ValidationError(too_long_message(), code="too_long_for_coro")
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        no_time = cleaned.get("run_at") is None and "run_at" not in self.errors
        if cleaned.get("when") == LATER and no_time:
            self.add_error("run_at", _("Pick the day and time to post it."))
        if cleaned.get("when") == NOW:
            cleaned["run_at"] = None
        return cleaned
