"""The registry of networks a post can be passed on to.

Each network is one small module in this package that defines ``NETWORK``. Adding one:
write the module, add it to ``_MODULES``, add its rows to ``networks/tests/test_text_rules.py``
(see docs/networks.md). No migration: ``Share.network`` is checked against this registry,
not against database choices.
"""

from importlib import import_module

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coro.networks.base import (
    MAX_TEXT,
    IntentUrl,
    Network,
    NetworkClient,
    Posted,
    ServerNeeded,
    text_validate,
    too_long,
    too_long_message,
)
from coro.networks.text_rules import TextRule

# The order the feed and the share screens list them in.
_MODULES = [
    "linkedin",
    "x",
    "facebook",
    "xing",
    "mastodon",
    "bluesky",
    "threads",
    "whatsapp",
    "telegram",
    "reddit",
    "email",
    "copy",
]

NETWORKS: dict[str, Network] = {}
for _name in _MODULES:
    _network: Network = import_module(f"coro.networks.{_name}").NETWORK
    NETWORKS[_network.key] = _network


def get_network(key: str) -> Network | None:
    return NETWORKS.get(key)


def validate_network_key(key: str) -> None:
    if key not in NETWORKS:
        raise ValidationError(
            _("%(key)s is not a network Coro knows."), params={"key": key}, code="network"
        )


__all__ = [
    "MAX_TEXT",
    "NETWORKS",
    "IntentUrl",
    "Network",
    "NetworkClient",
    "Posted",
    "ServerNeeded",
    "TextRule",
    "get_network",
    "text_validate",
    "too_long",
    "too_long_message",
    "validate_network_key",
]
