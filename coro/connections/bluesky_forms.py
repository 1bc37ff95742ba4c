import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coro.networks.clients import ClientError
from coro.networks.clients import bluesky as client

# Bluesky's app passwords: four groups of four letters and digits ("abcd-efgh-ijkl-mnop").
# Anything else is probably the account's main password, which Coro must never hold.
APP_PASSWORD = re.compile(r"^[a-z2-7]{4}(-[a-z2-7]{4}){3}$")


class BlueskyConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Your Bluesky handle"),
        max_length=253,
        help_text=_("For example ana.bsky.social."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    app_password = forms.CharField(
        # Translators: the same words everywhere on this page, as Bluesky's own settings name
        # it (Settings → Privacy and security → App passwords).
        label=_("App password"),
        max_length=64,
        help_text=_("Not your Bluesky password: an app password, like abcd-efgh-ijkl-mnop."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    server = forms.CharField(
        label=_("Server (optional)"),
        max_length=300,
        required=False,
        help_text=_("Only if your account is not on bsky.social: your server's address."),
        # No placeholder: grey text in the box reads as a value already there.
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A failed submit keeps the app password in its field while nothing is said against
        # it (only the handle or the server failed, or Bluesky could not be reached): the
        # person need not go and copy it again. ``add_error`` drops it otherwise.
        self.fields["app_password"].widget.render_value = self.is_bound

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if "app_password" in self.errors:
            self.fields["app_password"].widget.render_value = False

    @property
    def password_cleared(self) -> bool:
        """Whether the person typed an app password that the page does not show again."""
        typed = self.is_bound and bool(self.data.get("app_password"))
        return typed and "app_password" in self.errors

    def clean_handle(self) -> str:
        handle = str(self.cleaned_data["handle"]).strip().removeprefix("@")
        if not handle or any(c.isspace() for c in handle):
            raise ValidationError(_("Enter your handle without spaces, like ana.bsky.social."))
        return handle

    def clean_app_password(self) -> str:
        password = str(self.cleaned_data["app_password"]).strip().lower()
        if not APP_PASSWORD.match(password):
            raise ValidationError(
                _(
                    "This doesn't look like an app password (abcd-efgh-ijkl-mnop). Don't use "
                    "your Bluesky password: create an app password as explained above."
                )
            )
        return password

    def clean_server(self) -> str:
        try:
            return client.server_normalise(str(self.cleaned_data.get("server") or ""))
        except ClientError as error:
            raise ValidationError(error.message) from None
