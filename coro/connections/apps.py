from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    """A person's own accounts on networks with an API (Mastodon, Bluesky), connected only if
    they choose to, and what they tell Coro about their audience. Sharing never needs them."""

    name = "coro.connections"
    label = "connections"
