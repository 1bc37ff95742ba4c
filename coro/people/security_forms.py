from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.orgs.access import SECOND_FACTORS


class TwoFactorRequirementForm(forms.Form):
    two_factor_required = forms.BooleanField(
        label=_("Admins and editors must use two-factor authentication"),
        required=False,
        help_text=_(
            "Those without a passkey or an authenticator app are asked to add one the next "
            "time they open the organisation. Employees are never asked."
        ),
    )

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin = admin

    def clean_two_factor_required(self) -> bool:
        required: bool = self.cleaned_data["two_factor_required"]
        if required and not is_mfa_enabled(self.admin, SECOND_FACTORS):
            raise forms.ValidationError(
                _(
                    "Set up your own two-factor authentication first: as an admin, you will "
                    "be asked for it too."
                ),
                code="admin_without_second_factor",
            )
        return required
