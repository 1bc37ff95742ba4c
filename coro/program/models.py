import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coro.orgs.models import Membership, Organisation


class Terms(models.Model):
    """One published version of the program's terms: the written deal."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField()
    offer_es = models.TextField(_("what the company offers (Spanish)"))
    offer_en = models.TextField(_("what the company offers (English)"))
    commitment_es = models.TextField(_("what a participant agrees to (Spanish)"))
    commitment_en = models.TextField(_("what a participant agrees to (English)"))
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="terms_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} terms v{self.version}"

    @property
    def offer(self) -> str:
        return self.offer_en if get_language() == "en" else self.offer_es

    @property
    def commitment(self) -> str:
        return self.commitment_en if get_language() == "en" else self.commitment_es

    @property
    def text_sha256(self) -> str:
        """Fingerprint of the exact text a person accepts, in both languages."""
        text = "\n\n".join([self.offer_es, self.commitment_es, self.offer_en, self.commitment_en])
        return hashlib.sha256(text.encode()).hexdigest()


class Participation(models.Model):
    """Whether a member takes part in the advocacy program. Nobody is enrolled by default."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        LEFT = "left", _("Left")

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="participation"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    terms = models.ForeignKey(Terms, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.membership}: {self.status}"

    @property
    def is_enrolled(self) -> bool:
        return self.status == self.Status.ENROLLED


class ConsentRecord(models.Model):
    """One entry of the consent ledger: append-only and hash-chained per organisation.

    ``subject`` is the person's ``Membership.consent_ref``, a pseudonym: the ledger can be
    exported as evidence without naming anyone, and it survives the person's erasure.
    """

    class Action(models.TextChoices):
        JOINED = "joined", _("Joined")
        ACCEPTED = "accepted", _("Accepted a new version")
        LEFT = "left", _("Left")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    subject = models.CharField(max_length=16, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    terms_version = models.PositiveIntegerField(null=True, blank=True)
    terms_sha256 = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="consent_seq_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.subject} {self.action}"
