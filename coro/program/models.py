import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.append_only import AppendOnlyModel, AppendOnlyQuerySet, ImmutableRowError
from coro.core.languages import language_name, pick, validate_language_keys
from coro.orgs.models import Membership, Organisation


class TermsArePublished(ImmutableRowError):
    """A published version of the terms never changes: publish a new version instead."""


class LedgerIsAppendOnly(ImmutableRowError):
    """The consent ledger is append-only: records are never edited or deleted."""


@dataclass(frozen=True)
class TermsText:
    """The terms in one language: what the company offers, what a participant agrees to."""

    offer: str
    commitment: str


TERMS_PARTS = ("offer", "commitment")


def terms_texts_validate(value: Any) -> None:
    """``{"es": {"offer": ..., "commitment": ...}, ...}``: known languages, both parts
    written in each, at least one language."""
    validate_language_keys(value)
    if not value:
        raise ValidationError(_("Write the terms in at least one language."), code="empty")
    for language, parts in value.items():
        if not isinstance(parts, dict) or set(parts) != set(TERMS_PARTS):
            raise ValidationError(_("Malformed terms text."), code="malformed")
        if not all(isinstance(parts[p], str) and parts[p].strip() for p in TERMS_PARTS):
            raise ValidationError(
                _(
                    "Write both what the company offers and what a participant agrees to in "
                    "%(language)s, or leave both empty."
                ),
                params={"language": language_name(language)},
                code="incomplete",
            )


def terms_fingerprint(texts: dict[str, dict[str, str]]) -> str:
    """SHA-256 of the canonical form of every language version (format 2 of the hash).

    Canonical form: ``{"format": 2, "texts": {<language>: {"commitment": ..., "offer": ...}}}``
    as JSON with sorted keys, no spaces, UTF-8. docs/program.md gives the rule.
    """
    canonical = json.dumps(
        {"format": 2, "texts": texts}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Terms(AppendOnlyModel):
    """One published version of the program's terms: the written deal, in each language.

    Rows exist only once published, and a published version never changes.
    """

    immutable_error = TermsArePublished

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField()
    texts = models.JSONField(_("texts"), validators=[terms_texts_validate])
    # Fixed at publication: what the consent ledger's records point to. Versions published
    # before the texts were keyed by language keep the fingerprint of their time.
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet["Terms"].as_manager()

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="terms_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} terms v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sha256:
            self.sha256 = terms_fingerprint(self.texts)
        super().save(*args, **kwargs)

    def text(self, language: str | None = None) -> TermsText:
        """The terms in ``language`` (the reader's by default), or in the nearest one."""
        parts = pick(self.texts, language) or {}
        return TermsText(offer=parts.get("offer", ""), commitment=parts.get("commitment", ""))

    @property
    def offer(self) -> str:
        return self.text().offer

    @property
    def commitment(self) -> str:
        return self.text().commitment

    @property
    def languages(self) -> list[str]:
        return list(self.texts)


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


class ConsentRecord(AppendOnlyModel):
    """One entry of the consent ledger: append-only and hash-chained per organisation.

    ``subject`` is the person's ``Membership.consent_ref``, a pseudonym: the ledger can be
    exported as evidence without naming anyone, and it survives the person's erasure.
    Records are written only by ``coro.program.services.ledger_append``; docs/program.md
    describes the chain and how ``coro ledger verify`` checks it. On PostgreSQL a trigger refuses
    UPDATE and DELETE as well (``AppendOnlyModel``).
    """

    immutable_error = LedgerIsAppendOnly

    class Action(models.TextChoices):
        JOINED = "joined", _("Joined")
        ACCEPTED = "accepted", _("Accepted a new version")
        LEFT = "left", _("Left")
        # Written by Coro, about nobody: binds the records before it to the key (ledger.py).
        SEALED = "sealed", _("Chain sealed with the key")

    class Format(models.IntegerChoices):
        SHA256 = 1, _("SHA-256 chain (before keys)")
        HMAC = 2, _("HMAC-SHA256 chain, keyed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    subject = models.CharField(max_length=16, db_index=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    terms_version = models.PositiveIntegerField(null=True, blank=True)
    terms_sha256 = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    format = models.PositiveSmallIntegerField(choices=Format.choices, default=Format.HMAC)
    key_id = models.CharField(max_length=32, blank=True)

    objects = AppendOnlyQuerySet["ConsentRecord"].as_manager()

    class Meta(AppendOnlyModel.Meta):
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="consent_seq_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.subject} {self.action}"


class InvitationDismissal(models.Model):
    """A person who has not joined asked not to see the invitation to the program again.

    It holds for the version of the terms that was current then: a new version invites
    them once more. Written only by ``coro.program.services.invitation_dismiss``.
    """

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="invitation_dismissal"
    )
    terms_version = models.PositiveIntegerField()
    dismissed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.membership}: invitation dismissed under v{self.terms_version}"
