"""Blog feeds: an admin adds the company blog's RSS or Atom feed, and its new items become
draft posts for editors to review. Services and selectors.

A check (``blog_feed_check``) fetches the feed through the SSRF-safe fetcher, reads ALL of it
(``blog_parse.feed_parse``: a malformed feed, a wrong encoding or a huge item refuses the whole
feed) and only then makes the drafts, in one transaction: never some posts of a broken feed.
Each new draft gets its link preview asked for (``previews.preview_request``), in the same
transaction: all or nothing with the drafts. What went wrong is kept on the feed
(``last_error``, as a code and its parameters: see ``blog_errors``) for its settings page,
which says it in the reader's language.

An item is taken once: ``BlogFeedItem`` holds the sha256 of its id (or link), unique per feed,
so a second check, or two checks at once, make no second post. On the first check only the
newest ``FIRST_CHECK_LIMIT`` items become drafts; the older ones are marked as seen, so a blog
with years of articles does not flood the drafts.
"""

import io
import ipaddress
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.content.blog_errors import (
    blog_error_dump,
    blog_error_of_fetch,
    blog_error_of_problem,
    blog_error_of_validation,
    validation_messages,
)
from coro.content.blog_parse import FeedEntry, FeedProblem, ParsedFeed, feed_parse
from coro.content.images import post_image_add
from coro.content.models import BlogFeed, BlogFeedItem, Post
from coro.content.previews import preview_request
from coro.content.tasks import blog_feed_check_run
from coro.core.fetch import FetchError, address_allowed, fetch
from coro.core.targets import validate_target
from coro.orgs.models import Membership, Organisation

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
WEB_ADDRESS = URLValidator(schemes=["http", "https"])
FEED_MAX_BYTES = 2 * 1024 * 1024
FEED_TIMEOUT = 10.0  # seconds for the whole fetch
FIRST_CHECK_LIMIT = 10
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
IMAGE_MAX_BYTES = 5 * 1024 * 1024


# --- Selectors ----------------------------------------------------------------------------


def blog_feeds_of(organisation: Organisation) -> QuerySet[BlogFeed]:
    return BlogFeed.objects.filter(organisation=organisation).order_by("created_at")


def blog_feed_keys_seen(feed: BlogFeed) -> set[str]:
    """Keys of the feed's items already taken (made into a draft, or passed over)."""
    return set(BlogFeedItem.objects.filter(feed=feed).values_list("key", flat=True))


# --- Services -----------------------------------------------------------------------------


def _check_enqueue(feed_id: int) -> None:
    transaction.on_commit(lambda: blog_feed_check_run.enqueue(feed_id))


def blog_feed_check_request(*, feed: BlogFeed) -> None:
    """Check the feed in the background, once the current transaction commits."""
    _check_enqueue(feed.pk)


def _address_refused(url: str) -> bool:
    """Whether ``url`` names its host by an IP address Coro never fetches (loopback, private,
    ...), so the admin hears it now rather than after the first check. Names are checked
    when fetched (they may resolve differently by then)."""
    parts = urlsplit(url)
    try:
        ip = ipaddress.ip_address(parts.hostname or "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False  # a name, or an address urlsplit can't read: left to the fetcher
    if address_allowed(ip):
        return False
    # Tests serve feeds from this machine (``FETCH_TEST_ALLOW``, see docs/fetching.md).
    endpoint = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    return not (ip.is_loopback and endpoint in (getattr(settings, "FETCH_TEST_ALLOW", None) or []))


def blog_feed_add(
    *, organisation: Organisation, url: str, language: str, actor: Membership
) -> BlogFeed:
    """Add a feed and check it right away (in the background); audited."""
    feed = BlogFeed(organisation=organisation, url=url, language=language)
    feed.full_clean(validate_constraints=False)
    try:
        WEB_ADDRESS(url)  # the model alone would take ftp:// too
    except ValidationError:
        raise ValidationError(
            {"url": _("Enter a web address starting with http:// or https://")}, code="scheme"
        ) from None
    if _address_refused(url):
        raise ValidationError(
            {
                "url": _(
                    "This address points to a private network or to this server, which Coro "
                    "never fetches. Use the blog's public address."
                )
            },
            code="address",
        )
    already = ValidationError({"url": _("This feed is already added.")}, code="duplicate")
    if BlogFeed.objects.filter(organisation=organisation, url=url).exists():
        raise already
    try:
        with transaction.atomic():
            feed.save()
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditEntry.Action.BLOG_FEEDS_CHANGED,
                after={"feed": feed.url},
            )
    except IntegrityError:  # added at the same moment by someone else
        raise already from None
    blog_feed_check_request(feed=feed)
    return feed


def blog_feed_remove(*, feed: BlogFeed, actor: Membership) -> None:
    """Stop reading the feed; audited. The posts it made stay (``BlogFeedItem.post`` is only
    a link)."""
    with transaction.atomic():
        stored = BlogFeed.objects.select_for_update().filter(pk=feed.pk).first()
        if stored is None:
            return  # removed a moment ago by someone else: recorded then
        audit_record(
            organisation=feed.organisation,
            actor=actor,
            action=AuditEntry.Action.BLOG_FEEDS_CHANGED,
            before={"feed": stored.url},
        )
        stored.delete()


def _failed(feed: BlogFeed, error: str) -> None:
    # ``update`` rather than ``save``: the feed may have been removed during the check.
    BlogFeed.objects.filter(pk=feed.pk).update(last_checked_at=timezone.now(), last_error=error)


def _succeeded(feed: BlogFeed, title: str) -> None:
    now = timezone.now()
    changes = {"last_checked_at": now, "last_ok_at": now, "last_error": ""}
    BlogFeed.objects.filter(pk=feed.pk).update(**changes, **({"title": title} if title else {}))


def _draft_for(feed: BlogFeed, entry: FeedEntry) -> Post:
    texts = {feed.language: {"title": entry.title, "body": entry.body}}
    post = Post(
        organisation=feed.organisation,
        author=None,
        language=feed.language,
        texts=texts,
        link=entry.link,
        status=Post.Status.DRAFT,
        search_text=Post.search_text_for(texts),
    )
    try:
        validate_target(entry.link)  # tracked links may only lead to http(s) pages elsewhere
        post.full_clean()
    except ValidationError as error:
        raise _ItemInvalid(entry.title, validation_messages(error)) from None
    post.save()
    return post


class _ItemInvalid(Exception):
    """An item that can't become a post: what the model said, in every language."""

    def __init__(self, title: str, messages: dict[str, str]) -> None:
        super().__init__(title)
        self.stored = blog_error_of_validation(title, messages)


def _drafts_create_once(feed: BlogFeed, parsed: ParsedFeed) -> list[tuple[Post, FeedEntry]]:
    seen = blog_feed_keys_seen(feed)
    new = [entry for entry in parsed.entries if entry.key not in seen]
    take, pass_over = new, []
    if not seen:
        take, pass_over = new[:FIRST_CHECK_LIMIT], new[FIRST_CHECK_LIMIT:]
    made: list[tuple[Post, FeedEntry]] = []
    for entry in reversed(take):  # oldest first, so the newest draft is the newest post
        post = _draft_for(feed, entry)
        BlogFeedItem.objects.create(feed=feed, key=entry.key, post=post)
        preview_request(post=post)  # fetched once the drafts are committed
        made.append((post, entry))
    BlogFeedItem.objects.bulk_create(
        [BlogFeedItem(feed=feed, key=entry.key, post=None) for entry in pass_over]
    )
    return made


def _drafts_create(feed: BlogFeed, parsed: ParsedFeed) -> list[tuple[Post, FeedEntry]]:
    """Every new item as a draft, all in one transaction (all or none)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _drafts_create_once(feed, parsed)
        except IntegrityError:
            # Another check of the same feed took some of these items first (its transaction
            # committed after ours began): start again, seeing what it took.
            if attempt == 2 or not BlogFeed.objects.filter(pk=feed.pk).exists():
                raise
    raise AssertionError("unreachable")


def _image_attach(post: Post, entry: FeedEntry) -> None:
    """The item's image on the draft, if it can be had (fetched through the SSRF-safe fetcher,
    then checked and re-encoded like an upload); a draft without it is still whole."""
    try:
        fetched = fetch(entry.image_url, accept=IMAGE_TYPES, max_bytes=IMAGE_MAX_BYTES)
        # The title stands in for a description until an editor writes a better one.
        post_image_add(post=post, upload=io.BytesIO(fetched.body), alt_text=entry.title, by=None)
    except (FetchError, ValidationError) as error:
        logger.info("blog feed image %s not added: %s", entry.image_url, error)


def blog_feed_check(*, feed_id: int) -> int:
    """Read the feed and make drafts of its new items; how many drafts it made.

    Nothing is made unless the whole feed is right; what went wrong is saved on the feed as
    a code and its parameters (``blog_errors``), never as words in the worker's language."""
    feed = BlogFeed.objects.select_related("organisation").filter(pk=feed_id).first()
    if feed is None:
        return 0  # removed since the check was asked for
    try:
        fetched = fetch(feed.url, accept=FEED_TYPES, max_bytes=FEED_MAX_BYTES, timeout=FEED_TIMEOUT)
        parsed = feed_parse(fetched.body, charset=fetched.charset, base_url=feed.url)
        made = _drafts_create(feed, parsed)
    except FetchError as error:
        _failed(feed, blog_error_of_fetch(error, max_bytes=FEED_MAX_BYTES, timeout=FEED_TIMEOUT))
        return 0
    except FeedProblem as error:
        _failed(feed, blog_error_of_problem(error))
        return 0
    except _ItemInvalid as error:
        _failed(feed, error.stored)
        return 0
    except IntegrityError:
        return 0  # the feed was removed while it was being read
    except Exception:
        logger.exception("blog feed %s: check failed", feed.pk)
        _failed(feed, blog_error_dump("unexpected"))
        return 0
    _succeeded(feed, parsed.title)
    for post, entry in made:
        if entry.image_url:
            _image_attach(post, entry)
    return len(made)


def blog_feeds_check_all() -> int:
    """The periodic job: ask for a check of every feed (each runs as its own task, so one
    slow or broken blog holds up no other); how many were asked for."""
    ids = list(BlogFeed.objects.values_list("pk", flat=True))
    for feed_id in ids:
        _check_enqueue(feed_id)
    return len(ids)
