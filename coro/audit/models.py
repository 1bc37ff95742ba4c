from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.orgs.models import Organisation


class AppendOnlyError(RuntimeError):
    """The audit trail is only ever appended to: an entry is never changed or removed."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be removed.")


class AuditEntry(models.Model):
    """A change to how the program is run: who, when, before and after. Never edited.

    People are referred to by ``Membership.code`` (``actor_ref``, ``target_ref``) and
    named only when shown, so erasing a person leaves no name behind.
    """

    class Action(models.TextChoices):
        TERMS_PUBLISHED = "terms_published", _("Terms published")
        DISCLOSURE_CHANGED = "disclosure_changed", _("Disclosure reworded")
        DISCLOSURE_DISABLED = "disclosure_disabled", _("Disclosure switched off")
        DISCLOSURE_ENABLED = "disclosure_enabled", _("Disclosure switched on")
        ROLE_CHANGED = "role_changed", _("Role or team changed")
        PRIVACY_CHANGED = "privacy_changed", _("Privacy setting changed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    actor_ref = models.CharField(max_length=16, blank=True)
    target_ref = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        # Always an INSERT: a new instance given an existing pk must not overwrite that entry.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be removed.")
