from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Signing in with the company's identity provider (OpenID Connect), per organisation."""

    name = "coro.identity"
    label = "identity"
