from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.languages import language_choices
from coro.orgs.profile import time_zone_names
from coro.site.setup_token import setup_token_matches


class SetupDetailsForm(forms.Form):
    """What first run asks, on the web and on the command line (``coro setup``)."""

    organisation = forms.CharField(label=_("Organisation name"), max_length=120)
    language = forms.ChoiceField(
        label=_("Default language"),
        help_text=_("Of the organisation's e-mails to people who have not chosen a language."),
        error_messages={"invalid_choice": _("%(value)s is not one of Coro's languages.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        error_messages={
            "invalid_choice": _("%(value)s is not a time zone name such as Europe/Madrid.")
        },
    )
    admin_name = forms.CharField(label=_("Your name"), max_length=150)
    admin_email = forms.EmailField(
        label=_("Your e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"language": settings.LANGUAGE_CODE, "time_zone": settings.TIME_ZONE}
        )
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            (name, name.replace("_", " ")) for name in time_zone_names()
        ]

    def clean_admin_email(self) -> str:
        return str(self.cleaned_data["admin_email"]).strip().lower()


class SetupForm(SetupDetailsForm):
    """The web form: the same, with the one-time token and the admin's password."""

    token = forms.CharField(
        label=_("Setup token"),
        max_length=64,
        help_text=_("Printed by “coro serve” on the server's console when it started."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    field_order = [
        "token",
        "organisation",
        "language",
        "time_zone",
        "admin_name",
        "admin_email",
        "password",
    ]

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"])
        if not setup_token_matches(token):
            raise forms.ValidationError(
                _("This is not the current setup token: copy it again from the server's console."),
                code="token",
            )
        return token

    def clean_admin_email(self) -> str:
        email = super().clean_admin_email()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists."), code="email"
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            user = User(email=cleaned.get("admin_email", ""), name=cleaned.get("admin_name", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
