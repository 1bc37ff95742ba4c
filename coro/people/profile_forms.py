from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from coro.core.languages import language_choices
from coro.orgs.models import Organisation
from coro.orgs.profile import LOGO_FORMATS, LogoError, logo_prepare, time_zone_names


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class OrganisationProfileForm(forms.Form):
    """The organisation's name, logo, default language and time zone. A valid logo comes out
    of ``cleaned_data["logo"]`` already re-encoded (PNG bytes)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    logo = forms.FileField(
        label=_("New logo"),
        required=False,
        help_text=_(
            "A PNG, JPEG or WebP image of at most 2 MB and 4000 by 4000 pixels. It is stored as a "
            "PNG of at most 512 pixels a side, without the file's metadata."
        ),
        widget=forms.FileInput(
            attrs={"accept": ",".join(f"image/{f.lower()}" for f in sorted(LOGO_FORMATS))}
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    language = forms.ChoiceField(
        label=_("Default language"),
        help_text=_(
            "Used in the organisation's e-mails to people who have not chosen a language, "
            "such as invitations."
        ),
        error_messages={"invalid_choice": _("%(value)s is not one of Coro's languages.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The organisation's dates and times are shown in it."),
        error_messages={
            "invalid_choice": _("%(value)s is not a time zone name such as Europe/Madrid.")
        },
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organisation.name,
                "language": organisation.language,
                "time_zone": organisation.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        if not organisation.logo:
            del self.fields["remove_logo"]

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not isinstance(upload, UploadedFile):
            return None
        try:
            return logo_prepare(upload, size=upload.size)
        except LogoError as exc:
            raise forms.ValidationError(str(exc), code="logo") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Choose a new logo or remove the logo, not both."))
        return cleaned
