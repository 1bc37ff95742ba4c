"""Posts, their images, topics and link previews; reactions and comments on them; blog feeds
that bring in draft posts.

A post's words exist in several languages, stored as data keyed by language code
(``texts`` and ``suggestions``), never as columns: adding a language needs no migration.
"""

from typing import Any, TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.codes import new_code
from coro.core.languages import pick, validate_language, validate_language_keys
from coro.orgs.models import Membership, Organisation, Team


def _default_language() -> str:
    return str(settings.LANGUAGE_CODE)


class PostText(TypedDict):
    title: str
    body: str


def post_texts_validate(value: Any) -> None:
    """``{"es": {"title": ..., "body": ...}, ...}``: at least one language with a title."""
    validate_language_keys(value)
    if not value:
        raise ValidationError(_("A post needs a title in at least one language."), code="empty")
    for parts in value.values():
        if not isinstance(parts, dict) or not isinstance(parts.get("title"), str):
            raise ValidationError(_("Each language needs a title and a text."), code="shape")
        if not isinstance(parts.get("body", ""), str):
            raise ValidationError(_("Each language needs a title and a text."), code="shape")


def post_suggestions_validate(value: Any) -> None:
    """``{"es": {"x": "...", "linkedin": "..."}, ...}``: suggested texts per network."""
    validate_language_keys(value)
    for per_network in value.values():
        if not isinstance(per_network, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in per_network.items()
        ):
            raise ValidationError(_("Suggested texts must be given per network."), code="shape")


class Topic(models.Model):
    """A label editors give posts, so people can find what interests them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="topics")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_topic_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A message the company would like heard, usually with a link to pass on.

    Its state moves only along ``TRANSITIONS`` (see ``workflow.post_transition``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        DECLINED = "declined", _("Declined")

    # The workflow: from each state, the states it may move to (and no other).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset(
            {Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED, Status.ARCHIVED}
        ),
        Status.IN_REVIEW: frozenset(
            {Status.DRAFT, Status.SCHEDULED, Status.PUBLISHED, Status.DECLINED}
        ),
        Status.SCHEDULED: frozenset({Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED}),
        Status.PUBLISHED: frozenset({Status.DRAFT, Status.ARCHIVED}),
        Status.ARCHIVED: frozenset({Status.DRAFT}),
        Status.DECLINED: frozenset({Status.IN_REVIEW}),
    }

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="posts")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    # Who wrote it (an editor, or the employee who proposed it).
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when an employee proposed it: credited by name only if they opted in to recognition.
    proposed_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    # The language the post was first written in; texts may exist in others too.
    language = models.CharField(
        _("language"), max_length=8, default=_default_language, validators=[validate_language]
    )
    texts = models.JSONField(_("texts"), default=dict, validators=[post_texts_validate])
    suggestions = models.JSONField(
        _("suggested texts"), default=dict, blank=True, validators=[post_suggestions_validate]
    )
    # Lower-case titles and texts of every language, for the feed's search.
    search_text = models.TextField(blank=True, editable=False)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    # Set when the first person shares the post: from then on the link never changes, since
    # tracked links already out there must keep going where the sharer chose.
    link_locked_at = models.DateTimeField(null=True, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts")
    # The teams it is meant for; none means everyone.
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    pinned = models.BooleanField(_("pinned"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    expire_at = models.DateTimeField(_("expire at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # An editor's message to the proposer when a proposal is declined.
    decline_message = models.TextField(_("message to the proposer"), blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "-published_at"]),
            models.Index(fields=["status", "publish_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def search_text_for(texts: dict[str, Any]) -> str:
        """What the feed's search looks in: every language's title and text, lower-case."""
        parts = [f"{t.get('title', '')}\n{t.get('body', '')}" for t in texts.values()]
        return "\n".join(parts).lower()

    def text(self, language: str | None = None) -> PostText:
        """Title and text in ``language`` (the active one by default), falling back."""
        found = pick(self.texts, language) or {}
        return {"title": str(found.get("title", "")), "body": str(found.get("body", ""))}

    def text_language(self, language: str | None = None) -> str | None:
        """The language ``text(language)`` is in (None: the post has no text at all)."""
        return pick({code: code for code, texts in self.texts.items() if texts}, language)

    @property
    def title(self) -> str:
        return self.text()["title"]

    @property
    def body(self) -> str:
        return self.text()["body"]

    def suggestion(self, network: str, language: str | None = None) -> str:
        """The editor's suggested text for one network, or "" when there is none."""
        per_language = {k: v.get(network, "") for k, v in self.suggestions.items()}
        return str(pick(per_language, language) or "")

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class PostImage(models.Model):
    """An image of a post: the upload re-encoded without metadata, plus resized variants."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    # What the image shows, for people who cannot see it (required).
    alt_text = models.CharField(_("description of the image"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="posts/", max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # {"480": "posts/…-480.webp", ...}: resized copies by width.
    variants = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.alt_text


class LinkPreview(models.Model):
    """What the post's link shows when shared (its Open Graph title, description, image),
    fetched in the background through the SSRF-safe fetcher."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="preview")
    # The link this preview is for; a preview of another link is never shown.
    url = models.URLField(max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    image = models.FileField(upload_to="previews/", max_length=300, blank=True)
    error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def domain(self) -> str:
        """The site the link goes to, as people read it ("empresa.example")."""
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")


class Reaction(models.Model):
    """A person's public reaction to a post or a proposal (a small fixed set)."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        CELEBRATE = "celebrate", _("Celebrate")
        LOVE = "love", _("Love")
        INSIGHTFUL = "insightful", _("Insightful")
        SUPPORT = "support", _("Support")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "membership", "kind"], name="one_reaction_per_kind"
            )
        ]
        indexes = [models.Index(fields=["created_at"])]  # the dashboard's climate by day

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class Comment(models.Model):
    """A comment on a post or a proposal; replies go one level deep."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    # None once the author's account is erased (the words are erased with it).
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    # An editor may hide a comment, saying why; hidden comments show only the reason.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["created_at"])]  # the dashboard's climate by day

    def __str__(self) -> str:
        return self.body[:40]


class BlogFeed(models.Model):
    """An RSS or Atom feed of the company's blog: new items become draft posts."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="blog_feeds"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    url = models.URLField(_("feed address"), max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    language = models.CharField(
        _("language"), max_length=8, default=_default_language, validators=[validate_language]
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    # Why the last check failed, for the feed's settings page ("" when it worked).
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="one_feed_per_url")
        ]

    def __str__(self) -> str:
        return self.title or self.url


class BlogFeedItem(models.Model):
    """One item already taken from a feed, so it never becomes a second post."""

    feed = models.ForeignKey(BlogFeed, on_delete=models.CASCADE, related_name="items")
    # The item's id (or link) as the feed gives it, hashed to a fixed length.
    key = models.CharField(max_length=64)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "key"], name="one_post_per_feed_item")
        ]

    def __str__(self) -> str:
        return self.key
