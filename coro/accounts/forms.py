"""Coro's forms for the profile and invitations, and allauth's forms with Coro's labels
(settings.ACCOUNT_FORMS): allauth checks, Coro words."""

from typing import TYPE_CHECKING, Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.languages import language_choices

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _label(form: forms.Form, name: str, label: "StrOrPromise", **attrs: str | bool) -> None:
    """Coro's label for one of allauth's fields; allauth repeats it as a placeholder."""
    field = form.fields[name]
    field.label = label
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update(attrs)


class LoginForm(allauth_forms.LoginForm):  # type: ignore[misc]  # untyped
    """E-mail and password. allauth lowercases and trims the address (phones often
    capitalise the first letter) and answers the same whether or not the account exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].widget = forms.EmailInput()
        _label(self, "login", _("E-mail address"), autofocus=True, autocomplete="email")
        _label(self, "password", _("Password"))
        self.fields["password"].help_text = ""


class PasswordResetForm(allauth_forms.ResetPasswordForm):  # type: ignore[misc]  # untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget = forms.EmailInput()
        _label(self, "email", _("E-mail address"), autocomplete="email")


class PasswordResetKeyForm(allauth_forms.ResetPasswordKeyForm):  # type: ignore[misc]  # untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _label(self, "password1", _("New password"))
        _label(self, "password2", _("New password confirmation"))


class PasswordChangeForm(allauth_forms.ChangePasswordForm):  # type: ignore[misc]  # untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _label(self, "oldpassword", _("Current password"))
        self.fields["oldpassword"].help_text = ""
        _label(self, "password1", _("New password"))
        _label(self, "password2", _("New password confirmation"))


class ProfileForm(forms.ModelForm[User]):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The language of my browser")), *language_choices()],
        required=False,
    )

    class Meta:
        model = User
        fields = ["name", "language"]


class SignUpForm(forms.Form):
    """Create an account while accepting an invitation; the e-mail comes from the invitation."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email = email

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        user = User(email=self.email, name=self.cleaned_data.get("name", ""))
        password_validation.validate_password(password, user)
        return password
