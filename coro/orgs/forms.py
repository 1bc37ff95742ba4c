from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coro.orgs.disclosure import PLACEHOLDER, disclosure_default
from coro.orgs.models import Membership, Organisation, Role, Team


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


class MembershipForm(TeamChoiceMixin, forms.ModelForm):
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


class DisclosureForm(forms.Form):
    """The disclosure's wording, in both languages. Blank means the default."""

    disclosure_es = forms.CharField(label=_("In Spanish"), max_length=120, required=False)
    disclosure_en = forms.CharField(label=_("In English"), max_length=120, required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "disclosure_es": organisation.disclosure_es,
                "disclosure_en": organisation.disclosure_en,
            },
        )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for field, language in (("disclosure_es", "es"), ("disclosure_en", "en")):
            self.fields[field].widget.attrs["placeholder"] = disclosure_default(language)

    def _clean_wording(self, field: str) -> str:
        wording: str = self.cleaned_data[field].strip()
        # Rewording must not become a silent removal: the text still says where you work.
        if (
            wording
            and PLACEHOLDER not in wording
            and self.organisation.name.casefold() not in wording.casefold()
        ):
            raise forms.ValidationError(
                _("Say where you work: keep %(placeholder)s or write the organisation's name.")
                % {"placeholder": PLACEHOLDER}
            )
        return wording

    def clean_disclosure_es(self) -> str:
        return self._clean_wording("disclosure_es")

    def clean_disclosure_en(self) -> str:
        return self._clean_wording("disclosure_en")


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
