"""Blog feeds: an admin adds the company blog's RSS or Atom feed, and its new items become
draft posts for editors to review. Services and selectors.

A check (``blog_feed_check``) fetches the feed through the SSRF-safe fetcher, reads ALL of it
(``blog_parse.feed_parse``: a malformed feed, a wrong encoding or a huge item refuses the whole
feed) and only then makes the drafts, in one transaction: never some posts of a broken feed.
What went wrong is kept on the feed (``last_error``) for its settings page.

An item is taken once: ``BlogFeedItem`` holds the sha256 of its id (or link), unique per feed,
so a second check, or two checks at once, make no second post. On the first check only the
newest ``FIRST_CHECK_LIMIT`` items become drafts; the older ones are marked as seen, so a blog
with years of articles does not flood the drafts.
"""

import io
import logging

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.content.blog_parse import FeedEntry, FeedProblem, ParsedFeed, feed_parse
from coro.content.images import post_image_add
from coro.content.models import BlogFeed, BlogFeedItem, Post
from coro.content.tasks import blog_feed_check_run
from coro.core.fetch import FetchError, fetch
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
        post.full_clean()
    except ValidationError as error:
        raise FeedProblem(
            _("The item “%(item)s” couldn't become a post (%(problem)s). Nothing was imported.")
            % {"item": entry.title, "problem": " ".join(error.messages)}
        ) from None
    post.save()
    return post


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

    Nothing is made unless the whole feed is right; what went wrong is saved on the feed,
    in the organisation's language."""
    feed = BlogFeed.objects.select_related("organisation").filter(pk=feed_id).first()
    if feed is None:
        return 0  # removed since the check was asked for
    with translation.override(feed.organisation.language):
        try:
            fetched = fetch(feed.url, accept=FEED_TYPES, max_bytes=FEED_MAX_BYTES)
            parsed = feed_parse(fetched.body, charset=fetched.charset, base_url=feed.url)
            made = _drafts_create(feed, parsed)
        except FetchError as error:
            _failed(feed, _("We couldn't get the feed: %(reason)s") % {"reason": error})
            return 0
        except FeedProblem as error:
            _failed(feed, str(error))
            return 0
        except IntegrityError:
            return 0  # the feed was removed while it was being read
        except Exception:
            logger.exception("blog feed %s: check failed", feed.pk)
            _failed(feed, _("Something went wrong while reading the feed. It will be tried again."))
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
