"""Background work of connections: thin wrappers that pass ids to the services."""

from django_tasks import task


@task()
def account_followers_refresh_task(account_id: int) -> None:
    """Refresh one account's follower count; safe to run twice."""
    from coro.connections.services import account_followers_refresh

    account_followers_refresh(account_id=account_id)


@task()
def server_limits_refresh_task(server: str) -> None:
    """Ask a Mastodon server for its own text limits and keep them; safe to run twice."""
    from coro.connections.limits import server_limits_refresh

    server_limits_refresh(server=server)
