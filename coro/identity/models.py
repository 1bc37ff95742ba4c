from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.identity.domains import DOMAIN_MAX_LENGTH, validate_domain
from coro.identity.presets import Preset, validate_issuer
from coro.orgs.models import Organisation

# The allauth ``provider_id`` of an organisation's provider: ``org-<organisation code>``.
PROVIDER_ID_PREFIX = "org-"
# The environment variable that holds the client secret when none is stored.
SECRET_ENV_PREFIX = "CORO_OIDC_SECRET_"


class IdentityProvider(models.Model):
    """An organisation's own sign-in (OpenID Connect): one per organisation.

    The client secret is stored encrypted (coro.core.crypto) or, when none is stored, read
    from the environment variable ``CORO_OIDC_SECRET_<ORGANISATION CODE>``.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="identity_provider"
    )
    preset = models.CharField(
        _("provider"), max_length=16, choices=Preset.choices, default=Preset.GENERIC
    )
    issuer = models.URLField(_("issuer"), max_length=255, validators=[validate_issuer])
    client_id = models.CharField(_("client ID"), max_length=191)
    # "<key id>:<Fernet token>", never the secret itself; blank: read from the environment.
    client_secret_encrypted = models.TextField(blank=True, default="", editable=False)
    enabled = models.BooleanField(_("people can sign in with it"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_preset_display()} @ {self.organisation}"

    @property
    def provider_id(self) -> str:
        return provider_id_for(self.organisation)

    @property
    def secret_env_var(self) -> str:
        return secret_env_var_for(self.organisation)


def provider_id_for(organisation: Organisation) -> str:
    return f"{PROVIDER_ID_PREFIX}{organisation.code}"


def secret_env_var_for(organisation: Organisation) -> str:
    return f"{SECRET_ENV_PREFIX}{organisation.code.upper()}"


class AllowedDomain(models.Model):
    """People whose verified address is at this domain may sign in with the provider, and
    join the organisation as employees on their first sign-in. A domain belongs to one
    organisation of the installation at most."""

    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(
        _("domain"),
        max_length=DOMAIN_MAX_LENGTH,
        unique=True,
        validators=[validate_domain],
        error_messages={
            "unique": _("Another organisation on this Coro already lists this domain.")
        },
    )

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
