"""One base for rows that are written once and never changed or deleted: the consent
ledger, the audit trail and published terms.

The ORM refuses (``save()`` of an existing row, ``delete()``, queryset ``update()`` and
``delete()``; ``bulk_update`` and ``update_or_create`` go through them). On PostgreSQL a
trigger from django-pgtrigger refuses UPDATE and DELETE in the database too, so raw SQL
cannot change a row either. SQLite has no such trigger: the ledger's keyed hash chain
(``coro ledger verify``) still detects any change there.
"""

from typing import Any, ClassVar, TypeVar

import pgtrigger
from django.db import models


class ImmutableRowError(Exception):
    """A row that, once written, is never changed or deleted."""


_M = TypeVar("_M", bound="AppendOnlyModel")


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise self.model.immutable_error(f"{self.model.__name__} rows cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.model.immutable_error(f"{self.model.__name__} rows cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once, never updated or deleted (by the ORM, and on PostgreSQL by
    the database)."""

    immutable_error: ClassVar[type[ImmutableRowError]] = ImmutableRowError

    class Meta:
        abstract = True
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.immutable_error(f"{type(self).__name__} {self.pk} cannot be changed.")
        # Never an UPDATE, even for an instance built with the primary key of an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.immutable_error(f"{type(self).__name__} {self.pk} cannot be deleted.")
