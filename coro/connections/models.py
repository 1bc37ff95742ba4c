"""Connected accounts (optional: sharing never requires one), a person's Mastodon instance for
share intents, their approximate audience per network, and the OAuth apps Coro registers once
per Mastodon instance. Tokens and secrets are encrypted at rest (``coro.core.crypto``)."""

import json

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core import crypto
from coro.core.codes import new_code
from coro.networks import validate_network_key
from coro.orgs.models import Membership


class NetworkProfile(models.Model):
    """What a person tells Coro about themselves on one network, all optional: their Mastodon
    instance (for the share intent, no account connected) and roughly how many people follow
    them there (for reach; left empty when they would rather not say)."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="network_profiles"
    )
    network = models.CharField(max_length=16, validators=[validate_network_key])
    # e.g. "mastodon.social" (host only), for networks where people live on many servers.
    instance = models.CharField(_("server"), max_length=253, blank=True)
    approximate_audience = models.PositiveIntegerField(
        _("roughly how many people follow you there"), null=True, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "network"], name="one_network_profile_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} profile"


class ConnectedAccount(models.Model):
    """A person's account on a network, connected by them to post or schedule their own
    shares. ``credentials`` (tokens, app passwords) are stored encrypted; a value that cannot
    be decrypted fails closed (``crypto.DecryptionError``)."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        # The network refused the credentials (401/403): the person must connect again.
        RECONNECT = "reconnect", _("Reconnect needed")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="connected_accounts"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    network = models.CharField(max_length=16, validators=[validate_network_key])
    # The server the account lives on: a Mastodon instance ("https://mastodon.social") or a
    # Bluesky PDS ("https://bsky.social").
    server = models.URLField(max_length=300)
    handle = models.CharField(max_length=300)
    remote_id = models.CharField(max_length=300, blank=True)
    credentials_encrypted = models.TextField(editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    followers_refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "network"], name="one_connected_account_per_network"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.handle}"

    @property
    def credentials(self) -> dict[str, str]:
        value = json.loads(crypto.decrypt(self.credentials_encrypted))
        return {str(k): str(v) for k, v in value.items()}

    @credentials.setter
    def credentials(self, value: dict[str, str]) -> None:
        self.credentials_encrypted = crypto.encrypt(json.dumps(value, sort_keys=True))


class MastodonApp(models.Model):
    """Coro's OAuth application on one Mastodon instance, registered once and reused."""

    # The instance's base URL, normalised ("https://mastodon.social").
    server = models.URLField(max_length=300, unique=True)
    client_id = models.CharField(max_length=300)
    client_secret_encrypted = models.TextField(editable=False)
    redirect_uri = models.URLField(max_length=500)
    scopes = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.server

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(value)


class ServerLimits(models.Model):
    """A Mastodon server's own text limits, from its ``/api/v2/instance``: how many characters
    a post may have and how many each link counts. Fetched when a person names the server or
    connects an account on it, and once a day; the share screen counts with them."""

    # The server's base URL, normalised as accounts store it ("https://mastodon.social").
    server = models.URLField(max_length=300, unique=True)
    max_characters = models.PositiveIntegerField()
    characters_per_url = models.PositiveIntegerField()
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.server}: {self.max_characters}"
