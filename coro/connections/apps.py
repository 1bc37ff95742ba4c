from datetime import timedelta

from django.apps import AppConfig


def _followers_refresh() -> None:
    from coro.connections.services import followers_refresh_all

    followers_refresh_all()


def _server_limits_refresh() -> None:
    from coro.connections.limits import server_limits_refresh_all

    server_limits_refresh_all()


class ConnectionsConfig(AppConfig):
    """A person's own accounts on networks with an API (Mastodon, Bluesky), connected only if
    they choose to, and what they tell Coro about their audience. Sharing never needs them."""

    name = "coro.connections"
    label = "connections"

    def ready(self) -> None:
        from coro.core.periodic import PeriodicJob, periodic_register

        # Each connected account's follower count (audience size for reach), once a day.
        periodic_register(
            PeriodicJob("connections.followers", timedelta(days=1), _followers_refresh)
        )
        # The text limits of every Mastodon server people named or connected, once a day.
        periodic_register(
            PeriodicJob("connections.server_limits", timedelta(days=1), _server_limits_refresh)
        )
