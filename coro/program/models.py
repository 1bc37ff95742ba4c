import hashlib
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coro.orgs.models import Membership, Organisation


class ImmutableRowError(Exception):
    """A row that, once written, is never changed or deleted."""


class TermsArePublished(ImmutableRowError):
    """A published version of the terms never changes: publish a new version instead."""


class LedgerIsAppendOnly(ImmutableRowError):
    """The consent ledger is append-only: records are never edited or deleted."""


_M = TypeVar("_M", bound="WriteOnceModel")


class WriteOnceQuerySet(models.QuerySet[_M]):
    """Refuses bulk updates and deletes (``bulk_update`` and ``update_or_create`` go
    through ``update()`` or ``save()`` and are refused too)."""

    def update(self, **kwargs: Any) -> int:
        raise self.model.immutable_error(f"{self.model.__name__} rows cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.model.immutable_error(f"{self.model.__name__} rows cannot be deleted.")


class WriteOnceModel(models.Model):
    """A model whose rows are inserted once and never updated or deleted through the ORM."""

    immutable_error: ClassVar[type[ImmutableRowError]] = ImmutableRowError

    class Meta:
        abstract = True

    def save(self, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.immutable_error(f"{type(self).__name__} {self.pk} cannot be changed.")
        # Never an UPDATE, even for an instance built with the primary key of an existing row.
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        raise self.immutable_error(f"{type(self).__name__} {self.pk} cannot be deleted.")


class Terms(WriteOnceModel):
    """One published version of the program's terms: the written deal.

    Rows exist only once published, and a published version never changes (``save()`` on an
    existing row, ``delete()`` and queryset ``update()``/``delete()`` raise).
    """

    immutable_error = TermsArePublished

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField()
    offer_es = models.TextField(_("what the company offers (Spanish)"))
    offer_en = models.TextField(_("what the company offers (English)"))
    commitment_es = models.TextField(_("what a participant agrees to (Spanish)"))
    commitment_en = models.TextField(_("what a participant agrees to (English)"))
    published_at = models.DateTimeField(default=timezone.now)

    objects = WriteOnceQuerySet["Terms"].as_manager()

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


class ConsentRecord(WriteOnceModel):
    """One entry of the consent ledger: append-only and hash-chained per organisation.

    ``subject`` is the person's ``Membership.consent_ref``, a pseudonym: the ledger can be
    exported as evidence without naming anyone, and it survives the person's erasure.
    Records are written only by ``coro.program.services.ledger_append``; docs/program.md
    describes the chain and how ``coro ledger verify`` checks it. On PostgreSQL a trigger refuses
    UPDATE and DELETE as well (migration 0002).
    """

    immutable_error = LedgerIsAppendOnly

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

    objects = WriteOnceQuerySet["ConsentRecord"].as_manager()

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="consent_seq_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.subject} {self.action}"
