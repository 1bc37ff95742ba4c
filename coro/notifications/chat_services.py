"""Team chat announcements (Slack, Microsoft Teams incoming webhooks): being written (issue 12)."""

from coro.orgs.models import Organisation


def chat_announce(
    *, organisation: Organisation, team_ids: list[int], about: str, text: str, link: str
) -> int:
    """Announce a new post in the chat channels of ``team_ids`` (empty: the post is for
    everyone, so every channel of the organisation) and in the organisation-wide ones, held
    until the organisation's working hours; one announcement per channel and ``about``
    however often it is called. Returns how many channels it was queued for."""
    raise NotImplementedError
