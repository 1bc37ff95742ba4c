from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Protocol
from urllib.parse import quote, urlencode

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from coro.networks.text_rules import TextRule, graphemes

# The longest text Coro counts or sends, in characters (code points). A longer text is
# refused before anything counts it: no network allows as much (LinkedIn, the most, 3,000),
# counting is not free (X's parser needs seconds for a few hundred kilobytes), and an e-mail
# this long is more than a ``mailto:`` link reliably carries. The post editor's live counter
# uses the same number (``coro.content.counter.MAX_COUNTED`` is this).
MAX_TEXT = 3500


def too_long(text: str) -> bool:
    """Whether ``text`` is longer than Coro counts (``MAX_TEXT``): cheap, counts nothing."""
    return len(text) > MAX_TEXT


def too_long_message() -> str:
    return gettext("This text is too long: Coro takes up to %(max)s characters.") % {
        "max": MAX_TEXT
    }


@dataclass(frozen=True)
class Posted:
    """What a network answered when a post was made through a connected account."""

    remote_id: str
    url: str


@dataclass(frozen=True)
class LinkCard:
    """The card shown under a post: the link preview's title, description and image (its
    bytes; None: a card without a picture). The caller builds it from the post's
    ``LinkPreview`` (this layer does not know the content app); networks that build their
    own card from the link (Mastodon) ignore it."""

    uri: str
    title: str
    description: str
    image: bytes | None = None


class NetworkClient(Protocol):
    """Posting through a person's connected account, for networks with an API (Mastodon,
    Bluesky). ``credentials`` are the decrypted tokens of one account; the client keeps
    nothing between calls. Errors are ``coro.networks.clients``' types. ``created_at`` is when
    the person asked for the post (the same on every attempt): networks that key records by
    time use it (Bluesky's record key); others ignore it."""

    def post(
        self,
        *,
        credentials: Mapping[str, str],
        text: str,
        link: str,
        idempotency_key: str,
        preview: LinkCard | None = None,
        created_at: datetime | None = None,
    ) -> Posted: ...

    def audience_size(self, *, credentials: Mapping[str, str]) -> int | None: ...


class LazyClient:
    """A network's API client, imported on first use (``<module>.CLIENT``): the SDKs behind
    them are slow to import, and most processes never post."""

    def __init__(self, module: str) -> None:
        self.module = module

    def _client(self) -> NetworkClient:
        client: NetworkClient = import_module(self.module).CLIENT
        return client

    def post(
        self,
        *,
        credentials: Mapping[str, str],
        text: str,
        link: str,
        idempotency_key: str,
        preview: LinkCard | None = None,
        created_at: datetime | None = None,
    ) -> Posted:
        return self._client().post(
            credentials=credentials,
            text=text,
            link=link,
            idempotency_key=idempotency_key,
            preview=preview,
            created_at=created_at,
        )

    def audience_size(self, *, credentials: Mapping[str, str]) -> int | None:
        return self._client().audience_size(credentials=credentials)


class IntentUrl(Protocol):
    """Builds a network's share-intent URL from the person's text and the tracked link.
    ``title`` is the post's title (the e-mail's subject; other networks ignore it);
    ``server`` is the person's own server (Mastodon's host; others ignore it)."""

    def __call__(self, text: str, link: str, *, title: str = "", server: str = "") -> str: ...


class ServerNeeded(ValueError):
    """The network's intent goes to the person's own server, and none was given."""


def query(params: Mapping[str, str]) -> str:
    """A query string with every reserved character percent-encoded, spaces as ``%20``
    (never ``+``, which some share pages and mail programs keep as a plus)."""
    return urlencode(params, quote_via=quote)


def link_after_space(text: str, link: str) -> str:
    """The text, a space and the link: how X's intent adds its ``url`` parameter, and how
    Bluesky's composer gets both in its one ``text`` parameter."""
    return " ".join(part for part in (text, link) if part)


def link_after_blank_line(text: str, link: str) -> str:
    """The text, a blank line and the link: an e-mail's body, a WhatsApp message, the
    copied text."""
    return "\n\n".join(part for part in (text, link) if part)


def text_only(text: str, link: str) -> str:
    """The link goes out beside the text (an attachment), not in it: only the text counts."""
    return text


@dataclass(frozen=True)
class Network:
    """What Coro knows about one network: how it counts a text (``text_rule``), how to open
    a share on it, and optionally how to post through a connected account."""

    key: str
    # Brand names as they are ("LinkedIn"). A label that is a word ("Copy text", "E-mail")
    # is ``gettext_lazy``'s (cast to str: it behaves as one in templates, ``%`` and
    # f-strings), so it shows in the language of the moment.
    label: str
    text_rule: TextRule
    # Builds the share-intent URL from the person's text and the tracked link (and the
    # post's title, the person's server); None: no page to open ("copy text": the share
    # screen copies ``outgoing(text, link)`` to the clipboard).
    intent_url: IntentUrl | None
    # The text as the network receives it together with the link: what its limit applies to.
    outgoing: Callable[[str, str], str] = link_after_space
    # The icon's path under the static files ("coro/networks/<key>.svg"), monochrome.
    icon: str = ""
    # Whether the intent URL is opened in a new tab (web) or by the system (mailto:).
    opens_in_new_tab: bool = True
    # Whether the intent carries the text. False (LinkedIn, Facebook, Xing: their dialogs
    # take only the link): the share screen copies the text and says so before opening.
    takes_text: bool = True
    # Whether the intent goes to the person's own server (Mastodon): ``intent_url`` needs
    # ``server=`` and raises ``ServerNeeded`` without it.
    needs_server: bool = False
    # Whether the post's title goes with the text, as the e-mail's subject (the share screen
    # shows it in the preview, and no link card: a mail program shows none).
    subject_from_title: bool = False
    # Shown first on the feed's share row; the others are behind "More networks".
    featured: bool = False
    # Posting through a connected account; None for networks shared by intent only.
    client: NetworkClient | None = None

    @property
    def max_length(self) -> int | None:
        """The network's limit in its own units (None: no limit)."""
        return self.text_rule.limit

    def count(self, text: str) -> int:
        """The length of ``text`` as the network counts it. Counting a huge text is slow:
        callers with text from outside check ``too_long`` first (``fits`` and
        ``text_validate`` do)."""
        return self.text_rule.count(text)

    def text_length(self, text: str, link: str) -> int:
        """The length of the text as it goes out with the link, as the network counts it."""
        return self.count(self.outgoing(text, link))

    def remaining(self, text: str, link: str) -> int | None:
        """What is left under the limit (negative: over it); None for networks without one."""
        if self.max_length is None:
            return None
        return self.max_length - self.text_length(text, link)

    def fits(self, text: str, link: str) -> bool:
        """Whether the text may go out with the link: not longer than Coro takes
        (``MAX_TEXT``), and within the network's limit as the network counts it."""
        if too_long(text):
            return False
        remaining = self.remaining(text, link)
        return remaining is None or remaining >= 0

    def shortened(self, text: str, link: str, *, tail: str = "", ellipsis: str = "…") -> str | None:
        """``text + tail`` if it fits with the link; otherwise the longest start of ``text``
        (whole grapheme clusters, so no emoji is cut in half) followed by ``ellipsis`` and
        ``tail`` that fits; None if not even ``ellipsis + tail`` fits. The tail (the
        disclosure) is never shortened."""
        if self.fits(text + tail, link):
            return text + tail
        # Nothing longer than MAX_TEXT fits: only that start is looked at (the last cluster,
        # perhaps cut, is never kept: at most all but the last one are).
        clusters = graphemes(text[: MAX_TEXT + 1])

        def candidate(kept: int) -> str:
            return "".join(clusters[:kept]).rstrip() + ellipsis + tail

        best: str | None = None
        low, high = 0, len(clusters) - 1
        # Longer starts count more (a cut URL can count less than the whole one, so every
        # answer is checked, never assumed).
        while low <= high:
            middle = (low + high) // 2
            if self.fits(candidate(middle), link):
                best, low = candidate(middle), middle + 1
            else:
                high = middle - 1
        return best


def text_validate(network: Network, text: str, link: str) -> None:
    """Refuse a text longer than Coro takes, or one that will not fit the network once it
    goes out with the link."""
    if too_long(text):
        raise ValidationError(too_long_message(), code="too_long_for_coro")
    if network.fits(text, link) or network.max_length is None:
        return
    length = network.text_length(text, link)
    raise ValidationError(
        ngettext(
            "%(network)s allows %(limit)s characters as %(network)s counts them; "
            "this text has %(length)s.",
            "%(network)s allows %(limit)s characters as %(network)s counts them; "
            "this text has %(length)s.",
            network.max_length,
        ),
        code="too_long",
        params={"network": network.label, "limit": network.max_length, "length": length},
    )
