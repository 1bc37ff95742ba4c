from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Network:
    """What Coro knows about one network: its limits and how to open a share on it."""

    key: str
    label: str
    # Characters allowed in a post, and how many a link counts for (None: no limit).
    max_length: int | None
    link_length: int | None
    # Builds the share-intent URL from the suggested text and the tracked link.
    intent_url: Callable[[str, str], str]
    # Whether the intent URL is opened in a new tab (web) or by the system (mailto:).
    opens_in_new_tab: bool = True

    def text_length(self, text: str, link: str) -> int:
        """Length of text plus link as the network counts it."""
        link_length = self.link_length if self.link_length is not None else len(link)
        return len(text) + 1 + link_length
