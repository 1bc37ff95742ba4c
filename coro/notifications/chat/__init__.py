"""The registry of team chat services: one small module per service.

A service module gives ``SERVICE`` (see ``base.ChatService``): its key, its name, how to check
that an address is one of its incoming webhooks, and the JSON that announces a post. Adding a
service: write its module, add it to ``_MODULES``, and test it. ``ChatWebhook.service`` holds
the key, so no migration is needed.
"""

from importlib import import_module

from coro.notifications.chat.base import ChatService, masked

_MODULES = ["slack", "teams"]

SERVICES: dict[str, ChatService] = {}
for _name in _MODULES:
    _service: ChatService = import_module(f"coro.notifications.chat.{_name}").SERVICE
    SERVICES[_service.key] = _service


def service_for(key: str) -> ChatService | None:
    return SERVICES.get(key)


def service_label(key: str) -> str:
    service = SERVICES.get(key)
    return str(service.label) if service else key


def service_choices() -> list[tuple[str, str]]:
    return [(key, str(service.label)) for key, service in SERVICES.items()]


__all__ = ["SERVICES", "ChatService", "masked", "service_choices", "service_for", "service_label"]
