from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.codes import new_code
from coro.orgs.models import Organisation, Team


class Rhythm(models.TextChoices):
    """How often a kind of message reaches a person by e-mail (in the app it always shows)."""

    IMMEDIATE = "immediate", _("Right away")
    DAILY = "daily", _("In a daily digest")
    WEEKLY = "weekly", _("In a weekly digest")
    NEVER = "never", _("Never by e-mail")


class Digest(models.Model):
    """One digest e-mail for one person: the messages it lists point to it. Claimed before it
    is sent and released if sending fails, so it goes out once, or again after a failure."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    rhythm = models.CharField(max_length=16, choices=Rhythm.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker took it to send it: a claim older than ``digests.STALE_CLAIM`` (the
    # worker died) is taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.rhythm} digest {self.code}"


class Notification(models.Model):
    """A message for one person, held until their next working window (charter rule 9).

    ``deliver_after`` is the start of that window; ``delivered_at`` and ``channel`` say when
    and how it reached them. Nothing reaches out to people without working days: their
    notifications are shown in the app only, at once (``notification_hold``). Messages the
    person takes in a digest are delivered in the app first (``channel`` "in_app") and listed
    in their next ``digest`` e-mail.
    """

    class Kind(models.TextChoices):
        NEW_POST = "new_post", _("New posts for you")
        COMMENT_REPLY = "comment_reply", _("Replies to your comments")
        PROPOSAL_DECIDED = "proposal_decided", _("Your proposals, approved or declined")
        SCHEDULED_POST_FAILED = "scheduled_post_failed", _("Scheduled posts that failed")
        ACCOUNT_RECONNECT = "account_reconnect", _("A connected account needs connecting again")
        TERMS_UPDATED = "terms_updated", _("New program terms")
        CONSENT_RECEIPT = "consent_receipt", _("Consent receipt")

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    # What it is about, for the editors' aggregate figures ("post:<code>"); never per person.
    about = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    deliver_after = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The key of the channel that delivered it (``notifications/channels``), blank until then.
    channel = models.CharField(max_length=16, blank=True)
    # How the person takes this kind by e-mail, decided when it was held (``Rhythm``).
    rhythm = models.CharField(max_length=16, choices=Rhythm.choices, default=Rhythm.IMMEDIATE)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    # Its e-mail (channel "email"), apart from its delivery in the app: ``channels/email``.
    # Not before ``email_retry_at`` (after a failure); claimed by a worker at
    # ``email_claimed_at`` (a stale claim is taken again); sent at ``email_sent_at``, or
    # given up at ``email_given_up_at`` (a refusal, or too many failures) with its error.
    email_retry_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_given_up_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [
            # A person hears of a new post once, however often it is published or the
            # telling runs (``notifications_hold_many`` skips the ones already told).
            models.UniqueConstraint(
                fields=["user", "about"],
                condition=models.Q(kind="new_post") & ~models.Q(about=""),
                name="one_new_post_notice_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """How often one kind of message reaches the person by e-mail; no row: the kind's default
    (``preferences.DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Notification.Kind.choices)
    rhythm = models.CharField(max_length=16, choices=Rhythm.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.rhythm}"


class ChatWebhook(models.Model):
    """A team chat channel (Slack or Microsoft Teams incoming webhook) where new posts for a
    team are announced. The webhook's address is a secret: stored encrypted."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="chat_webhooks"
    )
    # None: the whole organisation (posts for everyone, and for any team).
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="chat_webhooks"
    )
    # The key of the chat service (``notifications/chat``): "slack", "teams".
    service = models.CharField(max_length=16)
    url_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.service} webhook {self.code}"


class ChatAnnouncement(models.Model):
    """One announcement of one post in one chat channel: at most one per (webhook, post), so
    a task run twice announces once. Held until the organisation's working hours."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(ChatWebhook, on_delete=models.CASCADE, related_name="announcements")
    about = models.CharField(max_length=64)
    text = models.TextField()
    link = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    deliver_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "about"], name="one_announcement_per_webhook_and_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.about} in {self.webhook_id}"
