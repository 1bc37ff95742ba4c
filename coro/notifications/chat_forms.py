"""The form that connects a team chat channel (the address is checked by its service)."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coro.notifications import chat
from coro.orgs.models import Organisation, Team

EVERYONE = ""


class ChatWebhookForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Chat service"),
        error_messages={"invalid_choice": _("Choose Slack or Microsoft Teams.")},
    )
    team = forms.ChoiceField(
        label=_("Announce the new posts for"),
        required=False,
        help_text=_(
            "A team's channel hears of the posts for that team and for everyone; the whole "
            "organisation's channel hears of every post."
        ),
        error_messages={"invalid_choice": _("Choose one of your organisation's teams.")},
    )
    url = forms.CharField(
        label=_("Webhook address"),
        max_length=1000,
        strip=True,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Paste the webhook's address.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.teams = {team.code: team for team in Team.objects.filter(organisation=organisation)}
        self.fields["url"].help_text = gettext(
            "The incoming webhook's address, from the channel's settings in Slack or Teams, "
            "such as %(slack)s or %(teams)s. It works like a password: Coro keeps it encrypted "
            "and shows only its end."
        ) % {"slack": chat.SERVICES["slack"].example, "teams": chat.SERVICES["teams"].example}
        cast(forms.ChoiceField, self.fields["service"]).choices = chat.service_choices()
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            (EVERYONE, _("Everyone (the whole organisation)")),
            *((code, team.name) for code, team in self.teams.items()),
        ]

    def clean_team(self) -> Team | None:
        code = self.cleaned_data.get("team") or EVERYONE
        return self.teams.get(code)
