from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from coro.core.languages import language_choices
from coro.orgs.models import Organisation
from coro.orgs.profile import LOGO_FORMATS, LogoError, logo_prepare, time_zone_names

# ISO weekdays, "1" = Monday (Django's WEEKDAYS count from 0 = Monday).
ISO_WEEKDAY_CHOICES = [(str(number + 1), name) for number, name in sorted(WEEKDAYS.items())]
HOURS_FIELDS = ("work_days", "work_start", "work_end")


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

    # The organisation's working hours: team chat announcements wait for them. Left out of a
    # request altogether (all three empty), they are kept as they are.
    work_days = forms.MultipleChoiceField(
        label=_("Working days"),
        choices=ISO_WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("%(value)s is not a day of the week.")},
    )
    work_start = forms.TimeField(
        label=_("Working hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 09:00.")},
    )
    work_end = forms.TimeField(
        label=_("Working hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "In the organisation's time zone. If the end is earlier than the start, the hours "
            "run past midnight and end the next day."
        ),
        error_messages={"invalid": _("Enter a time such as 18:00.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organisation.name,
                "language": organisation.language,
                "time_zone": organisation.time_zone,
                "work_days": list(organisation.work_days),
                "work_start": organisation.work_start,
                "work_end": organisation.work_end,
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
        self._clean_hours(cleaned)
        return cleaned

    def _clean_hours(self, cleaned: dict[str, Any]) -> None:
        """All three working-hours fields, or none of them (then they are not changed:
        ``cleaned_data["work_days"]`` is None)."""
        if any(field in self.errors for field in HOURS_FIELDS):
            return
        days, start, end = (cleaned.get(field) for field in HOURS_FIELDS)
        if not days and start is None and end is None:
            cleaned["work_days"] = None
            return
        if not days:
            self.add_error(
                "work_days",
                _("Tick at least one working day: without any, nothing is ever announced."),
            )
        if start is None:
            self.add_error("work_start", _("Enter when the working hours start."))
        if end is None:
            self.add_error("work_end", _("Enter when the working hours end."))
        elif start is not None and start == end:
            self.add_error(
                "work_end", _("The end of the working hours must differ from their start.")
            )
        if days:
            cleaned["work_days"] = "".join(sorted(days))
