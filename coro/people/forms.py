from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from coro.orgs.models import Membership, Organisation, Role, Team
from coro.people.csv_import import (
    MAX_BYTES,
    ImportFileError,
    ParsedFile,
    file_decode,
    payload_text,
    rows_parse,
)


class TeamChoiceMixin:
    """Limits the team field to the organisation's own teams."""

    def limit_teams(self, organisation: Organisation) -> None:
        field = self.fields["team"]  # type: ignore[attr-defined]
        field.queryset = Team.objects.filter(organisation=organisation)
        field.required = False
        field.empty_label = _("No team")


class InvitationForm(TeamChoiceMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.limit_teams(organisation)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(organisation=self.organisation, user__email=email).exists():
            raise forms.ValidationError(_("This person is already a member."))
        return email


class MembershipForm(TeamChoiceMixin, forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["role", "team"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_teams(self.instance.organisation)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=80)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Team.objects.filter(organisation=self.organisation, name__iexact=name).exists():
            raise forms.ValidationError(_("There is already a team with this name."))
        return name


class ImportUploadForm(forms.Form):
    """A CSV file of people; ``parsed`` and ``text`` hold what it says once it is valid."""

    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,  # an empty file gets the importer's own message
        help_text=_("Up to 1 MB: a first line naming the columns, then one person per line."),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "invalid": _("Choose a CSV file to upload."),
            "missing": _("Choose a CSV file to upload."),
        },
    )

    parsed: ParsedFile
    text: str

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": MAX_BYTES // (1024 * 1024)}
            )
        try:
            self.text = file_decode(upload.read(MAX_BYTES + 1))
            self.parsed = rows_parse(self.text)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


class ImportConfirmForm(forms.Form):
    """The signed file text the preview carries (``csv_import.payload_sign``)."""

    payload = forms.CharField(widget=forms.HiddenInput)

    parsed: ParsedFile

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_payload(self) -> str:
        payload: str = self.cleaned_data["payload"]
        try:
            text = payload_text(organisation_code=self.organisation.code, payload=payload)
            self.parsed = rows_parse(text)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        return payload
