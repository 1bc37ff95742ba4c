import enum
import logging
from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse

from coro.core import crypto
from coro.env import ConfigError, env_str
from coro.identity.domains import domain_of
from coro.identity.models import (
    PROVIDER_ID_PREFIX,
    IdentityProvider,
    provider_id_for,
    secret_env_var_for,
)
from coro.orgs.models import Organisation

logger = logging.getLogger(__name__)


class SecretSource(enum.Enum):
    STORED = "stored"  # encrypted in the database
    ENVIRONMENT = "environment"  # CORO_OIDC_SECRET_<CODE> (or its _FILE)
    MISSING = "missing"
    UNREADABLE = "unreadable"  # stored, but it does not decrypt with the configured keys


def identity_provider_of(organisation: Organisation) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.filter(organisation=organisation)
        .prefetch_related("domains")
        .first()
    )


def identity_provider_by_provider_id(provider_id: str) -> IdentityProvider | None:
    """The provider behind an allauth ``provider_id`` (``org-<code>``), enabled or not."""
    if not provider_id.startswith(PROVIDER_ID_PREFIX):
        return None
    code = provider_id.removeprefix(PROVIDER_ID_PREFIX)
    return (
        IdentityProvider.objects.filter(organisation__code=code)
        .select_related("organisation")
        .prefetch_related("domains")
        .first()
    )


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider whose organisation lists the address's domain."""
    domain = domain_of(email)
    if not domain:
        return None
    return (
        IdentityProvider.objects.filter(enabled=True, domains__domain=domain)
        .select_related("organisation")
        .first()
    )


def allowed_domains(provider: IdentityProvider) -> list[str]:
    return [d.domain for d in provider.domains.all()]


def client_secret(provider: IdentityProvider) -> tuple[SecretSource, str]:
    """Where the client secret comes from, and the secret ("" when it cannot be had: the
    provider then refuses Coro, and nobody signs in on a guess)."""
    if provider.client_secret_encrypted:
        try:
            return SecretSource.STORED, crypto.decrypt(provider.client_secret_encrypted)
        except crypto.DecryptionError as exc:
            logger.error("The client secret of %s cannot be decrypted: %s", provider, exc)
            return SecretSource.UNREADABLE, ""
    secret = _environment_secret(provider.organisation)
    return (SecretSource.ENVIRONMENT, secret) if secret else (SecretSource.MISSING, "")


def _environment_secret(organisation: Organisation) -> str:
    try:
        return env_str(secret_env_var_for(organisation), "")
    except ConfigError as exc:  # <NAME>_FILE names a file that cannot be read
        logger.error("%s", exc)
        return ""


def environment_secret_set(organisation: Organisation) -> bool:
    """Whether the server's environment holds a client secret for the organisation."""
    return bool(_environment_secret(organisation))


def redirect_uri(organisation: Organisation) -> str:
    """The address to register at the provider: where it sends people back to Coro."""
    path = reverse("openid_connect_callback", kwargs={"provider_id": provider_id_for(organisation)})
    return urljoin(settings.BASE_URL + "/", path.lstrip("/"))
