import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from coro.identity.domains import normalise_domain, validate_domain
from coro.identity.models import IdentityProvider
from coro.identity.presets import (
    GOOGLE_ISSUER,
    Preset,
    microsoft_issuer,
    normalise_issuer,
    normalise_tenant,
    tenant_of,
    validate_issuer,
    validate_tenant,
)

MAX_DOMAINS = 50
SECRET_MAX_LENGTH = 1000
_SEPARATORS = re.compile(r"[\s,;]+")


class CompanyEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class IdentityProviderForm(forms.Form):
    """The organisation's provider. The stored secret is never shown: a blank secret keeps
    it."""

    preset = forms.ChoiceField(
        label=_("Your company's sign-in"),
        choices=Preset.choices,
        widget=forms.RadioSelect,
        initial=Preset.GOOGLE,
    )
    tenant = forms.CharField(
        label=_("Directory (tenant) ID"),
        required=False,
        max_length=100,
        help_text=_("Microsoft Entra ID only: in the Entra admin center, Overview, “Tenant ID”."),
    )
    issuer = forms.CharField(
        label=_("Issuer"),
        required=False,
        max_length=255,
        help_text=_(
            "Another provider only: its issuer address (https://…); Coro reads "
            "/.well-known/openid-configuration under it."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=191)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=SECRET_MAX_LENGTH,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Stored encrypted and never shown again. Leave it blank to keep the one stored."
        ),
    )
    forget_secret = forms.BooleanField(
        label=_("Forget the stored secret and read it from the server's environment"),
        required=False,
    )
    domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "One per line, such as example.com. People whose verified address is at one of "
            "them can sign in, and join the organisation as employees the first time."
        ),
    )
    enabled = forms.BooleanField(label=_("People can sign in with it"), required=False)

    def __init__(
        self,
        *args: Any,
        provider: IdentityProvider | None,
        stored_secret: bool,
        environment_secret: bool,
        **kwargs: Any,
    ) -> None:
        if provider is not None:
            kwargs.setdefault(
                "initial",
                {
                    "preset": provider.preset,
                    "tenant": tenant_of(provider.issuer),
                    "issuer": provider.issuer if provider.preset == Preset.GENERIC else "",
                    "client_id": provider.client_id,
                    "domains": "\n".join(d.domain for d in provider.domains.all()),
                    "enabled": provider.enabled,
                },
            )
        super().__init__(*args, **kwargs)
        self.stored_secret = stored_secret
        if not stored_secret:
            del self.fields["forget_secret"]  # nothing stored to forget
        self.environment_secret = environment_secret

    def clean_tenant(self) -> str:
        return normalise_tenant(self.cleaned_data.get("tenant") or "")

    def clean_issuer(self) -> str:
        return normalise_issuer(self.cleaned_data.get("issuer") or "")

    def clean_domains(self) -> list[str]:
        raw = self.cleaned_data.get("domains") or ""
        domains = list(dict.fromkeys(normalise_domain(d) for d in _SEPARATORS.split(raw) if d))
        domains = [d for d in domains if d]
        if len(domains) > MAX_DOMAINS:
            raise ValidationError(
                _("List at most %(count)d domains."), params={"count": MAX_DOMAINS}
            )
        errors: list[ValidationError] = []
        for domain in domains:
            try:
                validate_domain(domain)
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return domains

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        preset = cleaned.get("preset")
        if preset == Preset.GOOGLE:
            cleaned["issuer"] = GOOGLE_ISSUER
        elif preset == Preset.MICROSOFT:
            tenant = cleaned.get("tenant", "")
            if not tenant:
                self.add_error("tenant", _("Give your directory (tenant) ID."))
            else:
                try:
                    validate_tenant(tenant)
                    cleaned["issuer"] = microsoft_issuer(tenant)
                except ValidationError as exc:
                    self.add_error("tenant", exc)
        elif preset == Preset.GENERIC:
            issuer = cleaned.get("issuer", "")
            if not issuer:
                self.add_error("issuer", _("Give the issuer address of your provider."))
            else:
                try:
                    URLValidator(schemes=["http", "https"])(issuer)
                    validate_issuer(issuer)
                except ValidationError as exc:
                    self.add_error("issuer", exc)

        if cleaned.get("enabled"):
            if not cleaned.get("domains") and "domains" not in self.errors:
                self.add_error(
                    "domains", _("List at least one domain to switch company sign-in on.")
                )
            has_secret = (
                bool(cleaned.get("client_secret"))
                or (self.stored_secret and not cleaned.get("forget_secret"))
                or self.environment_secret
            )
            if not has_secret:
                self.add_error(
                    "client_secret",
                    _(
                        "Give the client secret, or set the environment variable shown below "
                        "on the server, to switch company sign-in on."
                    ),
                )
        return cleaned
