"""Writes of posts: their words, suggested texts, link, topics, audience and dates.

Moving a post between states is ``workflow.py``; proposals are ``proposals.py``.

A refusal names where the problem is, so forms can show it on their own fields: ``texts.<language>``
for a text, ``suggestions.<language>.<network>`` for a suggested text, or a field's name
(``link``, ``publish_at``, ``expire_at``).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.content.counter import counted_text_validate
from coro.content.models import Post, Topic
from coro.content.previews import preview_request
from coro.content.workflow import field_error
from coro.core.targets import TARGET_REFUSED, target_allowed
from coro.networks import get_network
from coro.networks.links import tracked_link_example
from coro.orgs.models import Membership, Organisation, Team

TOPIC_MAX_LENGTH = 60
LINK_LOCKED = gettext_lazy(
    "People have shared this post: its link can no longer change, so every link already out "
    "there keeps going where they chose. To point somewhere else, archive this post and "
    "publish a new one."
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


def texts_clean(texts: Texts, *, main: str) -> dict[str, dict[str, str]]:
    """Drop languages left empty; refuse a text without a title, and a post without a title
    in its main language (``texts.<language>``)."""
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, ValidationError] = {}
    for language, parts in texts.items():
        title, body = parts.get("title", "").strip(), parts.get("body", "").strip()
        if not title and not body:
            continue
        if not title:
            errors[f"texts.{language}"] = ValidationError(
                _("Give this text a title."), code="title_missing"
            )
            continue
        cleaned[language] = {"title": title, "body": body}
    if main not in cleaned and f"texts.{main}" not in errors:
        errors[f"texts.{main}"] = ValidationError(
            _("Write a title in the main language, or pick the language you wrote in."),
            code="main",
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


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
        link=tracked_link_example(),
        organisation=organisation,
        language=language,
        disclosure=True,
    )


def suggestions_clean(
    *, organisation: Organisation, suggestions: Texts
) -> dict[str, dict[str, str]]:
    """Drop empty suggestions; refuse any that breaks its network's rules
    (``suggestions.<language>.<network>``). Each text is counted once per network."""
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, ValidationError] = {}
    for language, per_network in suggestions.items():
        kept = {key: text.strip() for key, text in per_network.items() if text.strip()}
        for key, text in kept.items():
            try:
                suggestion_check(
                    organisation=organisation, network_key=key, language=language, text=text
                )
            except ValidationError as error:
                errors[f"suggestions.{language}.{key}"] = error
        if kept:
            cleaned[language] = kept
    if errors:
        raise ValidationError(errors)
    return cleaned


def link_is_locked(post: Post) -> bool:
    """Someone has shared the post (read from the database, not from a stale copy)."""
    if post.pk is None:
        return False
    locked = Post.objects.filter(pk=post.pk, link_locked_at__isnull=False).exists()
    return locked or post.shares.exists()


# --- Writing posts ------------------------------------------------------------------------


def _dates_check(publish_at: datetime | None, expire_at: datetime | None) -> None:
    if publish_at and expire_at and expire_at <= publish_at:
        raise field_error("expire_at", _("The post must expire after it is published."), "dates")


def _link_check(post: Post, link: str) -> None:
    """Tracked links will send people there: a web address, never Coro's own host
    (``core.targets``). A post already shared keeps its link, whatever it is: it cannot be
    changed, so it does not stop the rest of the post from being edited."""
    if not link or target_allowed(link):
        return
    if link == post.link and link_is_locked(post):
        return
    raise field_error("link", str(TARGET_REFUSED), "target")


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
    errors: dict[str, list[ValidationError]] = {}

    def collect(error: ValidationError) -> None:
        for key, found in error.error_dict.items():
            errors.setdefault(key, []).extend(found)

    cleaned_texts: dict[str, dict[str, str]] = {}
    cleaned_suggestions: dict[str, dict[str, str]] = {}
    try:
        cleaned_texts = texts_clean(texts, main=language)
    except ValidationError as error:
        collect(error)
    try:
        cleaned_suggestions = suggestions_clean(
            organisation=post.organisation, suggestions=suggestions
        )
    except ValidationError as error:
        collect(error)
    try:
        _dates_check(publish_at, expire_at)
    except ValidationError as error:
        collect(error)
    try:
        _link_check(post, link.strip())
    except ValidationError as error:
        collect(error)
    if errors:  # every problem at once, each where it is
        raise ValidationError(errors)
    post.language = language
    post.texts = cleaned_texts
    post.link = link.strip()
    post.suggestions = cleaned_suggestions
    post.search_text = Post.search_text_for(post.texts)
    post.pinned = pinned
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
    someone has shared the post, its link stays as it is (``link_locked_at``).

    The row is locked first and the edit checked on it, not on the caller's copy: a proposer
    cannot overwrite a proposal an editor has just published."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    post_edit_check(post=post, by=by)
    old_link = post.link
    if link.strip() != old_link and link_is_locked(post):
        raise field_error("link", str(LINK_LOCKED), "link_locked")
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
        raise field_error(
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
