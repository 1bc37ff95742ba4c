from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
