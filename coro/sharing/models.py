import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.connections.models import ConnectedAccount
from coro.content.models import Post
from coro.core.codes import new_code
from coro.networks import validate_network_key
from coro.networks.links import tracked_link
from coro.orgs.models import Membership, Team


def _idempotency_key() -> str:
    return uuid.uuid4().hex


class Share(models.Model):
    """A person passing a post on to one network, with its own tracked link ``/r/<code>``.

    One per (post, person, network): sharing the same post again reuses the link.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shares")
    # Kept when the person's account is erased, so totals stay (SET_NULL, anonymous).
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="shares"
    )
    # Checked against the registry of networks (coro/networks), not database choices, so
    # adding a network needs no migration.
    network = models.CharField(max_length=16, validators=[validate_network_key])
    # The sharer's team when they shared: team figures count the share there for good, so
    # moving the person to another team later moves nothing (docs/audit-and-privacy-rules.md).
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The sharer's audience on this network when they first shared (their connected account's
    # followers, else what they told Coro); None when unknown. Summed, it is the reach.
    audience = models.PositiveIntegerField(null=True, blank=True)
    # The words the person last shared through Coro here, exactly as they wrote them. Used only
    # to tell them when colleagues already shared almost the same words; blanked when they
    # leave the program (it is theirs).
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "membership", "network"], name="one_share_per_post_person_network"
            )
        ]
        indexes = [models.Index(fields=["created_at"])]  # the dashboard's days

    def __str__(self) -> str:
        return f"{self.post} → {self.network}"

    @property
    def tracked_link(self) -> str:
        return tracked_link(self.code)


class Click(models.Model):
    """One counted visit through a tracked link. Nothing about the visitor is stored."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="clicks")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The sharer's team at the time of the visit; none once the link is anonymous (the
    # sharer left the program or was erased): such visits count in the totals only.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The visitor's first counted visit to the organisation's links that day: summed, this is
    # the day's unique visitors. Known from a keyed hash that is forgotten with the day's salt.
    new_visitor = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"click on {self.share.code} at {self.at:%Y-%m-%d %H:%M}"


class Preview(models.Model):
    """A fetch of a tracked link that is not a visit: a link-preview fetcher, a crawler, a
    prefetch or a ``HEAD``. It gets the redirect and is counted apart."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="previews")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"preview of {self.share.code} at {self.at:%Y-%m-%d %H:%M}"


class VisitSalt(models.Model):
    """The random salt of one day (UTC) for the keyed hash that tells repeat visits apart.
    Deleted once its day is over, which makes every hash made with it meaningless."""

    day = models.DateField(unique=True)
    salt = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"visit salt of {self.day}"


class VisitSeen(models.Model):
    """A keyed hash already counted: a visitor on one link in one hour, or a visitor of the
    organisation on one day. Nothing in it leads back to the visitor once the day's salt is
    gone; each row is deleted once its hour or day is over (``expires_at``)."""

    key = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"seen until {self.expires_at:%Y-%m-%d %H:%M}"


class SpoolCursor(models.Model):
    """How far a web process's visit spool file has been counted, saved in the same
    transaction as the rows it counted: a file is never counted twice."""

    name = models.CharField(max_length=200, unique=True)
    offset = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} at {self.offset}"


class ScheduledPost(models.Model):
    """A post the person asked Coro to make on their connected account, now or at a time they
    chose, for one share (charter rule 5: never without their own action for that post).

    Made by a task that claims it first and sends ``idempotency_key``, so a run twice, or a
    worker killed mid-post, posts once. Cancelled when they cancel it, disconnect the account
    or leave the program."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTING = "posting", _("Posting")
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="scheduled_posts")
    account = models.ForeignKey(
        ConnectedAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scheduled_posts",
    )
    text = models.TextField()
    run_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may run (a retry after a failure, or a 429's Retry-After).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Sent with every attempt: the network makes one post however often it is asked.
    idempotency_key = models.CharField(max_length=64, default=_idempotency_key, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_at"]
        indexes = [
            models.Index(fields=["status", "run_at"]),
            models.Index(fields=["status", "posted_at"]),  # the dashboard's posts made
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"
