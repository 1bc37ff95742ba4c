from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coro.notifications.models import Notification, Rhythm


class PreferencesForm(forms.Form):
    """One choice per kind of message: how often it reaches the person by e-mail."""

    def __init__(self, *args: Any, rhythms: dict[str, Rhythm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Rhythm.choices,
                initial=rhythms[kind],
                error_messages={"invalid_choice": _("Choose how often from the list.")},
            )

    def rhythms(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Notification.Kind.values}
