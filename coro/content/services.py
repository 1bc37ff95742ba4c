"""Writes of posts: the editor's form, the workflow's state machine, proposals, scheduling.

The workflow moves a post only along ``Post.TRANSITIONS`` and only as the person's role
allows (``post_transition``); every other write goes through the functions here too.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.content.counter import counted_text_validate
from coro.content.models import Post, Topic
from coro.content.previews import preview_request
from coro.core.codes import new_code
from coro.networks import get_network
from coro.orgs.models import Membership, Organisation, Team

TOPIC_MAX_LENGTH = 60
LINK_LOCKED = gettext_lazy(
    "People have shared this post: its link can no longer change, so every link already out "
    "there keeps going where they chose. To point somewhere else, archive this post and "
    "publish a new one."
)
# What an employee may do to their own proposal; editors and admins may make every move.
PROPOSER_MOVES = frozenset(
    {(Post.Status.DRAFT, Post.Status.IN_REVIEW), (Post.Status.DECLINED, Post.Status.IN_REVIEW)}
)
Texts = Mapping[str, Mapping[str, str]]


# --- Topics -------------------------------------------------------------------------------


def topic_names_parse(text: str) -> list[str]:
    """Comma-separated topic names: trimmed, without empty or repeated ones (any case)."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > TOPIC_MAX_LENGTH:
            raise ValidationError(
                _("A topic name can have at most %(max)s characters: “%(name)s…” is longer."),
                params={"max": TOPIC_MAX_LENGTH, "name": name[:20]},
                code="topic_too_long",
            )
        names.setdefault(name.casefold(), name)
    return list(names.values())


def topics_get_or_create(*, organisation: Organisation, names: Iterable[str]) -> list[Topic]:
    """The organisation's topics with these names, creating the missing ones; an existing
    topic is found whatever the case of the name typed."""
    found: list[Topic] = []
    for name in names:
        topic = Topic.objects.filter(organisation=organisation, name__iexact=name).first()
        if topic is None:
            topic = Topic(organisation=organisation, name=name)
            topic.full_clean()
            topic.save()
        if topic not in found:
            found.append(topic)
    return found


# --- Texts and suggestions ----------------------------------------------------------------


def texts_clean(texts: Texts) -> dict[str, dict[str, str]]:
    """Drop languages left empty; refuse a text without a title."""
    cleaned: dict[str, dict[str, str]] = {}
    for language, parts in texts.items():
        title, body = parts.get("title", "").strip(), parts.get("body", "").strip()
        if not title and not body:
            continue
        if not title:
            raise ValidationError(_("Each text needs a title."), code="title_missing")
        cleaned[language] = {"title": title, "body": body}
    return cleaned


def share_link_example() -> str:
    """A tracked link as long as the ones shares carry (``/r/<code>`` on this site): what a
    suggested text goes out with, whatever the post's own link."""
    return settings.BASE_URL + reverse("tracked_redirect", args=[new_code()])


def suggestion_check(
    *, organisation: Organisation, network_key: str, language: str, text: str
) -> None:
    """Refuse a suggested text that would not fit the network once it goes out: followed by
    the disclosure, with a tracked link (the same count as the editor's live counter)."""
    network = get_network(network_key)
    if network is None:
        raise ValidationError(
            _("%(key)s is not a network Coro knows."), params={"key": network_key}, code="network"
        )
    counted_text_validate(
        network,
        text,
        link=share_link_example(),
        organisation=organisation,
        language=language,
        disclosure=True,
    )


def suggestions_clean(
    *, organisation: Organisation, suggestions: Texts
) -> dict[str, dict[str, str]]:
    """Drop empty suggestions; refuse any that breaks its network's rules."""
    cleaned: dict[str, dict[str, str]] = {}
    for language, per_network in suggestions.items():
        kept = {key: text.strip() for key, text in per_network.items() if text.strip()}
        for key, text in kept.items():
            suggestion_check(
                organisation=organisation, network_key=key, language=language, text=text
            )
        if kept:
            cleaned[language] = kept
    return cleaned


def link_is_locked(post: Post) -> bool:
    """Someone has shared the post (read from the database, not from a stale copy)."""
    if post.pk is None:
        return False
    locked = Post.objects.filter(pk=post.pk, link_locked_at__isnull=False).exists()
    return locked or post.shares.exists()


# --- Writing posts ------------------------------------------------------------------------


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _dates_check(publish_at: datetime | None, expire_at: datetime | None) -> None:
    if publish_at and expire_at and expire_at <= publish_at:
        raise _field_error("expire_at", _("The post must expire after it is published."), "dates")


def _fill(
    post: Post,
    *,
    language: str,
    texts: Texts,
    suggestions: Texts,
    link: str,
    pinned: bool,
    publish_at: datetime | None,
    expire_at: datetime | None,
) -> None:
    post.language = language
    post.texts = texts_clean(texts)
    if language not in post.texts:
        raise _field_error(
            "texts", _("Write at least a title in the post's main language."), "main"
        )
    post.link = link.strip()
    post.suggestions = suggestions_clean(organisation=post.organisation, suggestions=suggestions)
    post.search_text = Post.search_text_for(post.texts)
    post.pinned = pinned
    _dates_check(publish_at, expire_at)
    post.publish_at, post.expire_at = publish_at, expire_at
    post.updated_at = timezone.now()


@transaction.atomic
def post_create(
    *,
    author: Membership,
    language: str,
    texts: Texts,
    link: str = "",
    suggestions: Texts | None = None,
    topics: Iterable[Topic] = (),
    new_topics: Iterable[str] = (),
    teams: Iterable[Team] = (),
    pinned: bool = False,
    publish_at: datetime | None = None,
    expire_at: datetime | None = None,
    proposed: bool = False,
) -> Post:
    """A new draft (or, for a proposal, a post in review proposed by its author)."""
    organisation = author.organisation
    if not proposed and not author.is_editor:
        raise ValidationError(_("Only editors can write posts; you can propose one."), code="role")
    post = Post(organisation=organisation, author=author)
    if proposed:
        post.proposed_by = author
        post.status = Post.Status.IN_REVIEW
    _fill(
        post,
        language=language,
        texts=texts,
        suggestions=suggestions or {},
        link=link,
        pinned=pinned,
        publish_at=publish_at,
        expire_at=expire_at,
    )
    post.full_clean()
    post.save()
    _topics_set(post, topics=topics, new_topics=new_topics)
    _teams_set(post, teams=teams)
    preview_request(post=post)
    return post


def _topics_set(post: Post, *, topics: Iterable[Topic], new_topics: Iterable[str]) -> None:
    organisation = post.organisation
    chosen = [t for t in topics if t.organisation_id == organisation.pk]
    for topic in topics_get_or_create(organisation=organisation, names=new_topics):
        if topic not in chosen:
            chosen.append(topic)
    post.topics.set(chosen)


def _teams_set(post: Post, *, teams: Iterable[Team]) -> None:
    post.teams.set([t for t in teams if t.organisation_id == post.organisation_id])


@transaction.atomic
def post_update(
    *,
    post: Post,
    by: Membership,
    language: str,
    texts: Texts,
    link: str = "",
    suggestions: Texts | None = None,
    topics: Iterable[Topic] | None = None,
    new_topics: Iterable[str] = (),
    teams: Iterable[Team] | None = None,
    pinned: bool | None = None,
    publish_at: datetime | None = None,
    expire_at: datetime | None = None,
) -> Post:
    """Change a post's words, link, topics, audience and dates (not its state).

    An employee may change only their own proposal, while it is in review or declined. Once
    someone has shared the post, its link stays as it is (``link_locked_at``)."""
    post_edit_check(post=post, by=by)
    post = Post.objects.select_for_update().get(pk=post.pk)
    old_link = post.link
    if link.strip() != old_link and link_is_locked(post):
        raise _field_error("link", str(LINK_LOCKED), "link_locked")
    _fill(
        post,
        language=language,
        texts=texts,
        suggestions=suggestions or {},
        link=link,
        pinned=post.pinned if pinned is None else pinned,
        publish_at=publish_at,
        expire_at=expire_at,
    )
    if post.status == Post.Status.SCHEDULED and post.publish_at is None:
        raise _field_error(
            "publish_at", _("A scheduled post needs a time to go out."), "schedule_missing"
        )
    post.full_clean()
    post.save()
    if topics is not None or new_topics:
        _topics_set(
            post, topics=post.topics.all() if topics is None else topics, new_topics=new_topics
        )
    if teams is not None:
        _teams_set(post, teams=teams)
    if post.link != old_link:
        preview_request(post=post)
    return post


def post_edit_check(*, post: Post, by: Membership) -> None:
    """Refuse an edit the person may not make."""
    if by.organisation_id != post.organisation_id:
        raise ValidationError(_("This post belongs to another organisation."), code="org")
    if by.is_editor:
        return
    if post.proposed_by_id != by.pk:
        raise ValidationError(_("Only editors can change this post."), code="role")
    if post.status not in (Post.Status.IN_REVIEW, Post.Status.DECLINED):
        raise ValidationError(
            _("Your proposal can be changed only while it is in review or declined."),
            code="state",
        )


def post_link_lock(*, post: Post) -> None:
    """The post has been shared: its link is frozen from now on (the first share sets it)."""
    if post.link_locked_at is None:
        Post.objects.filter(pk=post.pk, link_locked_at=None).update(link_locked_at=timezone.now())
        post.refresh_from_db(fields=["link_locked_at"])


# --- The workflow -------------------------------------------------------------------------


def _move_check(post: Post, to: Post.Status, by: Membership, message: str, now: datetime) -> None:
    if by.organisation_id != post.organisation_id:
        raise ValidationError(_("This post belongs to another organisation."), code="org")
    if not post.can_move_to(to):
        raise ValidationError(
            _("A post that is “%(now)s” cannot become “%(to)s”."),
            params={"now": Post.Status(post.status).label, "to": to.label},
            code="transition",
        )
    if not by.is_editor and (
        (post.status, to) not in PROPOSER_MOVES or post.proposed_by_id != by.pk
    ):
        raise ValidationError(_("Only editors can do this."), code="role")
    if to == Post.Status.DECLINED and not message.strip():
        raise _field_error(
            "message", _("Tell the proposer why, so they can improve it."), "message"
        )
    if to == Post.Status.SCHEDULED and (post.publish_at is None or post.publish_at <= now):
        raise _field_error(
            "publish_at",
            _("Pick a time in the future to schedule it, or publish it now."),
            "schedule",
        )
    if to in (Post.Status.SCHEDULED, Post.Status.PUBLISHED) and (
        post.expire_at is not None and post.expire_at <= now
    ):
        raise _field_error(
            "expire_at", _("Its expiry date has passed: change it first."), "expired"
        )


@transaction.atomic
def post_transition(
    *, post: Post, to: Post.Status, by: Membership, message: str = "", now: datetime | None = None
) -> Post:
    """Move the post to another state, if the workflow and the person's role allow it."""
    now = now or timezone.now()
    post = Post.objects.select_for_update().get(pk=post.pk)
    to = Post.Status(to)
    _move_check(post, to, by, message, now)
    fields = ["status", "updated_at"]
    if to == Post.Status.PUBLISHED:
        post.published_at = now
        post.archived_at = None
        fields += ["published_at", "archived_at"]
    elif to == Post.Status.ARCHIVED:
        post.archived_at = now
        fields.append("archived_at")
    elif to == Post.Status.DRAFT:
        post.published_at = post.archived_at = None
        fields += ["published_at", "archived_at"]
    elif to == Post.Status.DECLINED:
        post.decline_message = message.strip()
        fields.append("decline_message")
    post.status, post.updated_at = to, now
    post.full_clean()
    post.save(update_fields=fields)
    return post


def posts_publish_due(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic job: publish scheduled posts whose time has come and archive published
    posts that expired; how many of each. Safe to run twice (each update claims its rows)."""
    now = now or timezone.now()
    published = Post.objects.filter(status=Post.Status.SCHEDULED, publish_at__lte=now).update(
        status=Post.Status.PUBLISHED, published_at=F("publish_at"), updated_at=now
    )
    archived = Post.objects.filter(
        status=Post.Status.PUBLISHED, expire_at__isnull=False, expire_at__lte=now
    ).update(status=Post.Status.ARCHIVED, archived_at=F("expire_at"), updated_at=now)
    return published, archived


# --- Proposals ----------------------------------------------------------------------------


def proposal_create(
    *, by: Membership, language: str, texts: Texts, suggestions: Texts, link: str = ""
) -> Post:
    """An employee's proposal: a post in review, theirs, for the editors to look at."""
    return post_create(
        author=by,
        language=language,
        texts=texts,
        suggestions=suggestions,
        link=link,
        proposed=True,
    )


def proposal_update(
    *, post: Post, by: Membership, language: str, texts: Texts, suggestions: Texts, link: str = ""
) -> Post:
    """The proposer changes their proposal's words (in its language) and link; what editors
    added in other languages, its topics, audience and dates stay as they are."""
    kept_texts = {k: v for k, v in post.texts.items() if k != post.language}
    kept_suggestions = {k: v for k, v in post.suggestions.items() if k != post.language}
    return post_update(
        post=post,
        by=by,
        language=language,
        texts={**kept_texts, **texts},
        suggestions={**kept_suggestions, **suggestions},
        link=link,
        publish_at=post.publish_at,
        expire_at=post.expire_at,
    )
