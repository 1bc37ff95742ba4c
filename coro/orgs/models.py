from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.codes import new_code
from coro.core.languages import validate_language, validate_language_keys


def _default_min_group_size() -> int:
    return int(settings.MIN_GROUP_SIZE)


def _default_language() -> str:
    return str(settings.LANGUAGE_CODE)


def _default_time_zone() -> str:
    return str(settings.TIME_ZONE)


class Organisation(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    # The organisation's profile: shown on its pages, used in its e-mails.
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    language = models.CharField(
        _("default language"),
        max_length=8,
        default=_default_language,
        validators=[validate_language],
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=_default_time_zone)
    # The organisation's working hours, in its time zone: team chat announcements are held
    # until they open (charter rule 9). ISO weekdays, "1" = Monday.
    work_days = models.CharField(_("working days"), max_length=7, default="12345")
    work_start = models.TimeField(_("working hours start"), default=time(9, 0))
    work_end = models.TimeField(_("working hours end"), default=time(18, 0))
    # Admins and editors must sign in with a second factor (TOTP or a passkey).
    two_factor_required = models.BooleanField(
        _("admins and editors must use two-factor authentication"), default=False
    )
    # The employment disclosure appended to suggested share texts (charter rule 8), keyed by
    # language code. A language without wording gets the default, "I work at {organisation}".
    disclosure = models.JSONField(
        _("disclosure"), default=dict, blank=True, validators=[validate_language_keys]
    )
    disclosure_enabled = models.BooleanField(default=True)
    disclosure_off_reason = models.TextField(
        _("reason for switching the disclosure off"), blank=True
    )
    # Privacy: numbers about groups smaller than this are merged into "other".
    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=_default_min_group_size,
        validators=[MinValueValidator(settings.MIN_GROUP_SIZE_FLOOR)],
    )

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    EMPLOYEE = "employee", _("Employee")


# What each role may do includes what the roles below it may do.
ROLE_RANK = {Role.EMPLOYEE: 0, Role.EDITOR: 1, Role.ADMIN: 2}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        """Members an admin has not deactivated: those who can open the organisation and
        count in its teams."""
        return self.filter(deactivated_at__isnull=True)


class Membership(models.Model):
    """A person's place in one organisation: their role and team."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The person's pseudonym in the consent ledger: shown to nobody but the person, so the
    # ledger can be handed over as evidence without saying who joined or left.
    consent_ref = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    # Charter rule 3: the person's name appears in recognition only if they say so.
    recognition_opt_in = models.BooleanField(_("my name may appear in recognition"), default=False)
    # Set when an admin deactivates the member: they can no longer open the organisation.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[role]

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_editor(self) -> bool:
        return self.has_role(Role.EDITOR)


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


class Invitation(models.Model):
    """An invitation by e-mail. Its link is signed, expires, and works once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # When the invitation e-mail last went out (re-sending updates it).
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
