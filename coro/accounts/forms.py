from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.languages import language_choices


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # Accounts are stored with the address lowercased (UserManager, user_create);
        # phones often capitalise the first letter.
        username: str = self.cleaned_data["username"]
        return username.lower()


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
