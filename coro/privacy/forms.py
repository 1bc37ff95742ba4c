from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.accounts.ratelimits import TOO_MANY_ATTEMPTS
from coro.notifications import hours

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in hours.time_zone_names()]


class WorkingHoursForm(forms.Form):
    work_days = forms.MultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("With no working day ticked, Coro never e-mails you."),
    )
    work_start = forms.TimeField(
        label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    work_end = forms.TimeField(
        label=_("End"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "If the end is earlier than the start, your hours run past midnight and end "
            "the next day."
        ),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> "WorkingHoursForm":
        initial = {
            "work_days": list(user.work_days),
            "work_start": user.work_start,
            "work_end": user.work_end,
            "time_zone": user.time_zone,
        }
        return cls(data, initial=initial)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("work_start"), cleaned.get("work_end")
        if start is not None and end is not None:
            try:
                hours.validate_work_hours(start, end)
            except ValidationError as exc:
                self.add_error("work_end", exc)
        return cleaned


class AccountDeleteForm(forms.Form):
    """Re-authentication and a typed confirmation before erasing an account."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm_email = forms.CharField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        password_check_allowed: Callable[[], bool] = lambda: True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Asked before each check of the password: False once the rate limit is reached.
        self.password_check_allowed = password_check_allowed

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.password_check_allowed():
            raise ValidationError(TOO_MANY_ATTEMPTS, code="rate_limited")
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."), code="password")
        return password

    def clean_confirm_email(self) -> str:
        typed: str = self.cleaned_data["confirm_email"]
        # Addresses are stored lowercased; a phone may capitalise the first letter.
        if typed.strip().lower() != self.user.email.lower():
            raise ValidationError(
                _("This is not your e-mail address as Coro knows it."), code="confirm_email"
            )
        return typed
