from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.append_only import AppendOnlyModel, AppendOnlyQuerySet, ImmutableRowError
from coro.orgs.models import Organisation


class AppendOnlyError(ImmutableRowError):
    """The audit trail is only ever appended to: an entry is never changed or removed."""


class AuditEntry(AppendOnlyModel):
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
        RELEASES_CHANGED = "releases_changed", _("Team figures: period or privacy changed")
        PROFILE_CHANGED = "profile_changed", _("Organisation profile changed")
        MEMBER_DEACTIVATED = "member_deactivated", _("Member deactivated")
        MEMBER_REACTIVATED = "member_reactivated", _("Member reactivated")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        TWO_FACTOR_CHANGED = "two_factor_changed", _("Two-factor requirement changed")
        SIGN_IN_CHANGED = "sign_in_changed", _("Company sign-in changed")
        BLOG_FEEDS_CHANGED = "blog_feeds_changed", _("Blog feeds changed")
        GOAL_CHANGED = "goal_changed", _("Common goal changed")
        COMMENT_HIDDEN = "comment_hidden", _("Comment hidden")
        CHAT_WEBHOOKS_CHANGED = "chat_webhooks_changed", _("Team chat channels changed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    actor_ref = models.CharField(max_length=16, blank=True)
    target_ref = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    immutable_error = AppendOnlyError

    objects = AppendOnlyQuerySet["AuditEntry"].as_manager()

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
