"""Reading a blog's RSS or Atom feed from the bytes the fetcher brought: all or nothing.

``feed_parse`` either returns every item of the feed, checked, or raises ``FeedProblem``
saying what is wrong (a stable ``code`` and its ``params``, put into plain words in the
reader's language only when shown: see ``problem_message``); it never returns half a feed.
What it refuses, and why:

- **Wrong encodings.** The encoding is the one the server names (``charset``), else the one
  the feed's ``<?xml encoding=...?>`` names, else the byte-order mark, else UTF-8 (XML's
  default; unlike RFC 3023 a ``text/xml`` feed without a charset is not taken for ASCII, since
  feeds in the wild never mean that). The bytes must decode in it *strictly*. feedparser
  would instead guess another encoding (its ``CharacterEncodingOverride``) and carry on,
  which turns "Año" into "AÃ±o" or worse in every draft: refused. So are a server and a feed
  that name different encodings for text that is not plain ASCII, and encodings Python does
  not know (``CharacterEncodingUnknown``).
- **Malformed XML.** feedparser's answer to broken XML is to retry with a lenient parser that
  makes up a structure; its ``bozo`` flag then holds the XML error. Every ``bozo`` is fatal:
  by the time feedparser runs, the encoding has been settled above and it is told the body is
  XML, so ``CharacterEncodingOverride``, ``CharacterEncodingUnknown`` and
  ``NonXMLContentType`` (the harmless kinds) cannot be raised and what remains are XML errors
  (mismatched tags, undefined entities such as ``&nbsp;``, unbound namespace prefixes).
- **Huge items.** A title over ``TITLE_MAX`` characters, or an item whose HTML is over
  ``ITEM_HTML_MAX`` characters or whose text is over ``ITEM_TEXT_MAX`` characters. The item is
  named in the message. (The fetcher already stops at 2 MB for the whole feed.)
- **Something that is not a feed** (well-formed XML that is neither RSS nor Atom).

What is kept, not refused: titles longer than a post title and texts longer than a post text
are shortened at a word ("…"); the draft links to the whole article. Items whose link is
not an http(s) address, or that have neither an id nor a link, are left out (they cannot
become a post worth sharing), and so are repeated ids after the first.

feedparser is only ever given bytes (a ``BytesIO``), never a string, which it might take
for an address or a file name and open itself.
"""

import calendar
import codecs
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin
from xml.sax import SAXParseException

import feedparser  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from coro.content.texts import html_to_text, text_shorten

TITLE_MAX = 1_000  # characters of a title's text: over it, the item is refused
TITLE_KEEP = 200  # a post title (the post editor's limit): longer ones are shortened
ITEM_HTML_MAX = 200_000  # characters of an item's summary (or article) as HTML
ITEM_TEXT_MAX = 20_000  # characters of that summary as text
BODY_KEEP = 3_000  # a post text (the post editor's limit): longer ones are shortened
LINK_MAX = 1_000  # Post.link's length

_URL = URLValidator(schemes=["http", "https"])
_XML_ENCODING = re.compile(
    rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_BOMS = [
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
]


class FeedProblem(Exception):
    """Why a feed was refused: a stable ``code`` and its ``params`` (plain JSON values), so
    the feed's settings page can say it in the reader's language, whatever language the
    check ran in. ``str()`` is the message in the active language."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return problem_message(self.code, self.params) or self.code


def _item_name(params: dict[str, Any]) -> str:
    """The item as a message names it: its title, else its number in the feed."""
    title = str(params.get("title") or "")
    if title:
        return text_shorten(title, 80)
    return _("number %(number)s") % {"number": params.get("number", "?")}


def problem_message(code: str, params: dict[str, Any]) -> str | None:
    """A refused feed's ``FeedProblem`` in words, in the active language; None for a code
    this module does not know."""
    p = {key: value for key, value in params.items() if key != "title"}
    if code == "encoding_unknown":
        return _(
            "The feed says its text is in “%(encoding)s”, which isn't an encoding we know. "
            "Nothing was imported."
        ) % {"encoding": p.get("encoding", "")}
    if code == "encoding_disagree":
        return _(
            "The blog's server says the feed is in %(server)s, but the feed itself says "
            "%(feed)s. Nothing was imported: ask whoever runs the blog to make them agree."
        ) % {"server": p.get("server", ""), "feed": p.get("feed", "")}
    if code == "encoding_wrong":
        return _(
            "The feed's text should be in %(encoding)s, but line %(line)s has characters "
            "that aren't. Nothing was imported: ask whoever runs the blog to fix the feed's "
            "encoding."
        ) % {"encoding": p.get("encoding", ""), "line": p.get("line", "?")}
    if code == "title_too_long":
        return _(
            "Item %(number)s has a title of %(size)s characters (at most %(limit)s). "
            "Nothing was imported: shorten it in the blog, then check the feed again."
        ) % {"number": p.get("number", "?"), "size": p.get("size", "?"), "limit": TITLE_MAX}
    if code == "item_too_long":
        return _(
            "The item “%(item)s” is too long: %(size)s characters, and an item may have "
            "%(limit)s at most. Nothing was imported, not even the other items: shorten its "
            "summary in the blog, then check the feed again."
        ) % {"item": _item_name(params), "size": p.get("size", "?"), "limit": ITEM_TEXT_MAX}
    if code == "not_xml":
        return _(
            "The feed isn't valid XML (line %(line)s: %(problem)s), so nothing was "
            "imported. A feed validator such as validator.w3.org/feed shows what to fix."
        ) % {"line": p.get("line", "?"), "problem": p.get("problem", "")}
    if code == "unreadable":
        return _("The feed couldn't be read (%(problem)s), so nothing was imported.") % {
            "problem": p.get("problem", "")
        }
    if code == "not_a_feed":
        return _("This address doesn't give an RSS or Atom feed.")
    return None


@dataclass(frozen=True)
class FeedEntry:
    key: str  # sha256 of the item's id (or link): what makes it the same item next time
    title: str
    body: str
    link: str
    image_url: str  # "" when the item has no image
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: list[FeedEntry]  # newest first; keys are unique


def _text_encoding(body: bytes, http_charset: str | None) -> tuple[str, bytes]:
    """The encoding the feed's text is in, and the body without its byte-order mark."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            declared_by_bom: str | None = name
            body = body[len(bom) :]
            break
    else:
        declared_by_bom = None
    match = _XML_ENCODING.match(body) if declared_by_bom in (None, "utf-8") else None
    declared = [
        (source, name)
        for source, name in [
            ("http", http_charset),
            ("xml", match.group(1).decode("ascii") if match else None),
            ("bom", declared_by_bom),
        ]
        if name
    ]
    normalised: dict[str, str] = {}
    for source, name in declared:
        try:
            normalised[source] = codecs.lookup(name).name
            b"".decode(name)  # text encodings only (not "rot13", "base64", ...)
        except LookupError:
            raise FeedProblem("encoding_unknown", encoding=name) from None
    names = set(normalised.values())
    if len(names) > 1 and not body.isascii():
        if "bom" in normalised:
            encoding = normalised["bom"]  # the bytes themselves say it; labels can be wrong
        else:
            raise FeedProblem(
                "encoding_disagree",
                server=http_charset or "",
                feed=match.group(1).decode() if match else "",
            )
    else:
        encoding = (
            normalised.get("http") or normalised.get("bom") or normalised.get("xml") or "utf-8"
        )
    try:
        body.decode(encoding)
    except UnicodeDecodeError as error:
        raise FeedProblem(
            "encoding_wrong", encoding=encoding, line=body[: error.start].count(b"\n") + 1
        ) from None
    return encoding, body


def _struct_time_to_datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _web_address(value: str) -> str:
    """``value`` if it is an http(s) address short enough for a post, else ""."""
    if not value or len(value) > LINK_MAX:
        return ""
    try:
        _URL(value)
    except ValidationError:
        return ""
    return value


def _image_url(entry: Any, base: str) -> str:
    candidates: list[str] = [t.get("url", "") for t in entry.get("media_thumbnail", [])]
    candidates += [
        m.get("url", "")
        for m in entry.get("media_content", [])
        if m.get("medium") == "image" or str(m.get("type", "")).startswith("image/")
    ]
    candidates += [
        e.get("href", "")
        for e in entry.get("enclosures", [])
        if str(e.get("type", "")).startswith("image/")
    ]
    for candidate in candidates:
        found = _web_address(urljoin(base, candidate)) if candidate else ""
        if found:
            return found
    return ""


def _entry(entry: Any, number: int, base: str) -> FeedEntry | None:
    """One item, checked; None when it is left out (see the module's notes)."""
    title = " ".join(html_to_text(str(entry.get("title", ""))).split())
    if len(title) > TITLE_MAX:
        raise FeedProblem("title_too_long", number=number, size=len(title))
    content = entry.get("content") or [{}]
    html = str(entry.get("summary") or content[0].get("value") or "")
    text = html_to_text(html) if len(html) <= ITEM_HTML_MAX else ""
    if len(html) > ITEM_HTML_MAX or len(text) > ITEM_TEXT_MAX:
        raise FeedProblem(
            "item_too_long",
            title=text_shorten(title, 80),
            number=number,
            size=len(text) if len(html) <= ITEM_HTML_MAX else len(html),
        )
    link = _web_address(str(entry.get("link", "")))
    identity = str(entry.get("id") or link)
    if not link or not identity:
        return None
    body = text_shorten(text, BODY_KEEP)
    title = text_shorten(title or body.split("\n")[0] or link, TITLE_KEEP)
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return FeedEntry(
        key=hashlib.sha256(identity.encode("utf-8")).hexdigest(),
        title=title,
        body=body,
        link=link,
        image_url=_image_url(entry, base),
        published=_struct_time_to_datetime(published) if published else None,
    )


def feed_parse(body: bytes, *, charset: str | None, base_url: str) -> ParsedFeed:
    """Every item of the feed, checked, newest first; or ``FeedProblem``.

    ``charset`` is the one the server named, if any; ``base_url`` the feed's address as the
    admin gave it (relative links and ids are read against it, so an item keeps its key even
    if the blog later redirects the feed elsewhere)."""
    encoding, body = _text_encoding(body, charset)
    result = feedparser.parse(
        io.BytesIO(body),
        response_headers={
            "content-type": f"application/xml; charset={encoding}",
            "content-location": base_url,
        },
    )
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        if isinstance(problem, SAXParseException):
            raise FeedProblem(
                "not_xml", line=problem.getLineNumber(), problem=str(problem.getMessage())
            )
        raise FeedProblem("unreadable", problem=str(problem))
    if not result.get("version"):
        raise FeedProblem("not_a_feed")
    entries: list[FeedEntry] = []
    keys: set[str] = set()
    for number, raw in enumerate(result.entries, start=1):
        entry = _entry(raw, number, base_url)
        if entry is not None and entry.key not in keys:
            keys.add(entry.key)
            entries.append(entry)
    oldest = datetime.min.replace(tzinfo=UTC)
    # Newest first; items without a date keep the feed's own order, after the dated ones.
    entries.sort(key=lambda e: e.published or oldest, reverse=True)
    title = " ".join(html_to_text(str(result.feed.get("title", ""))).split())
    return ParsedFeed(title=text_shorten(title, 300), entries=entries)
