from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.orgs.models import Organisation


class Notification(models.Model):
    """A message for one person, held until their next working window (charter rule 9).

    ``deliver_after`` is the start of that window; ``delivered_at`` and ``channel`` say when
    and how it reached them. Nothing reaches out to people without working days: their
    notifications are shown in the app only, at once (``notification_hold``).
    """

    class Kind(models.TextChoices):
        TERMS_UPDATED = "terms_updated", _("New program terms")
        CONSENT_RECEIPT = "consent_receipt", _("Consent receipt")
        ACCOUNT_RECONNECT = "account_reconnect", _("A connected account needs connecting again")

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
    created_at = models.DateTimeField(default=timezone.now)
    deliver_after = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The key of the channel that delivered it (``notifications/channels``), blank until then.
    channel = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
