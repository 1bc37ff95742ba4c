from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Posted:
    """What a network answered when a post was made through a connected account."""

    remote_id: str
    url: str


class NetworkClient(Protocol):
    """Posting through a person's connected account, for networks with an API (Mastodon and
    Bluesky will fill this slot). ``credentials`` are the decrypted tokens of one account;
    the client keeps nothing between calls."""

    def post(
        self, *, credentials: Mapping[str, str], text: str, link: str, idempotency_key: str
    ) -> Posted: ...

    def audience_size(self, *, credentials: Mapping[str, str]) -> int | None: ...


@dataclass(frozen=True)
class Network:
    """What Coro knows about one network: its limits, how to open a share on it, and
    optionally how to post through a connected account."""

    key: str
    label: str
    # Characters allowed in a post, and how many a link counts for (None: no limit).
    max_length: int | None
    link_length: int | None
    # Builds the share-intent URL from the suggested text and the tracked link.
    intent_url: Callable[[str, str], str]
    # Whether the intent URL is opened in a new tab (web) or by the system (mailto:).
    opens_in_new_tab: bool = True
    # Posting through a connected account; None for networks shared by intent only.
    client: NetworkClient | None = None

    def text_length(self, text: str, link: str) -> int:
        """Length of text plus link as the network counts it."""
        link_length = self.link_length if self.link_length is not None else len(link)
        return len(text) + 1 + link_length
