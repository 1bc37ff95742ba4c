"""What the People pages read: the lines of a CSV import checked against the organisation,
and the pending invitations with their links."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.orgs import selectors as org_selectors
from coro.orgs.models import Invitation, Membership, Organisation, Role, Team
from coro.orgs.tokens import invitation_token
from coro.people.csv_import import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ImportRow,
    role_parse,
    team_key,
)


class LineStatus(models.TextChoices):
    NEW = "new", gettext_lazy("New invitation")
    INVITED = "invited", gettext_lazy("Already invited: skipped")
    MEMBER = "member", gettext_lazy("Already a member: skipped")
    ERROR = "error", gettext_lazy("Not imported")


@dataclass
class ImportLine:
    """One line of the file and what confirming would do with it."""

    row: ImportRow
    status: LineStatus = LineStatus.NEW
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    role: Role | None = None
    team: Team | None = None
    # Expired invitations to the same address, withdrawn when the new one is sent.
    replaces: list[Invitation] = field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    lines: int
    new: int
    skipped: int
    errors: int


def import_lines(*, organisation: Organisation, rows: list[ImportRow]) -> list[ImportLine]:
    """Each row with its status: a new invitation, skipped (the address is already invited
    and the invitation still works, or already belongs to a member, active or not), or an
    error for each thing wrong with it. Nothing is written."""
    teams: dict[str, Team] = {}
    for team in Team.objects.filter(organisation=organisation).order_by("pk"):
        teams.setdefault(team_key(team.name), team)
    members = {
        email.lower(): deactivated_at
        for email, deactivated_at in Membership.objects.filter(
            organisation=organisation
        ).values_list("user__email", "deactivated_at")
    }
    pending: dict[str, list[Invitation]] = defaultdict(list)
    for invitation in org_selectors.pending_invitations(organisation):
        pending[invitation.email.lower()].append(invitation)
    seen: dict[str, int] = {}
    lines = []
    for row in rows:
        line = ImportLine(row=row)
        _check_values(line, teams)
        if row.email:
            if row.email in seen:
                line.errors.append(
                    _("This address is already on line %(line)s.") % {"line": seen[row.email]}
                )
            else:
                seen[row.email] = row.line
        if line.errors:
            line.status = LineStatus.ERROR
        elif row.email in members:
            line.status = LineStatus.MEMBER
            if members[row.email] is not None:
                line.notes.append(
                    _("Their access is deactivated: you can reactivate it on their page.")
                )
        else:
            invitations = pending.get(row.email, [])
            working = [i for i in invitations if not i.is_expired]
            if working:
                line.status = LineStatus.INVITED
                line.notes.append(_expiry_note(max(i.expires_at for i in working)))
            elif invitations:
                line.replaces = invitations
                line.notes.append(_("Their earlier invitation expired: a new one replaces it."))
        lines.append(line)
    return lines


def _check_values(line: ImportLine, teams: dict[str, Team]) -> None:
    row = line.row
    if not row.name:
        line.errors.append(_("The name is missing."))
    elif len(row.name) > NAME_MAX_LENGTH:
        line.errors.append(
            _("The name is longer than %(count)s characters.") % {"count": NAME_MAX_LENGTH}
        )
    if not row.email:
        line.errors.append(_("The e-mail address is missing."))
    elif not _is_email(row.email):
        line.errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": row.email})
    line.role = role_parse(row.role)
    if line.role is None:
        line.errors.append(
            _("“%(value)s” is not a role. Write admin, editor or employee, or leave it blank.")
            % {"value": row.role}
        )
    if row.team:
        line.team = teams.get(team_key(row.team))
        if line.team is None:
            line.errors.append(
                _(
                    "There is no team called “%(value)s”. Check the spelling, or create the "
                    "team on the People page and upload the file again."
                )
                % {"value": row.team}
            )


def _is_email(value: str) -> bool:
    if len(value) > EMAIL_MAX_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _expiry_note(expires_at: datetime) -> str:
    return _("Their invitation works until %(date)s.") % {
        "date": date_format(localtime(expires_at), "DATE_FORMAT")
    }


def import_summary(lines: list[ImportLine]) -> ImportSummary:
    new = sum(1 for line in lines if line.status == LineStatus.NEW)
    errors = sum(1 for line in lines if line.status == LineStatus.ERROR)
    return ImportSummary(
        lines=len(lines), new=new, skipped=len(lines) - new - errors, errors=errors
    )


@dataclass(frozen=True)
class PendingInvitation:
    invitation: Invitation
    link: str

    @property
    def sent_at(self) -> datetime:
        return self.invitation.last_sent_at or self.invitation.created_at


def invitation_link(invitation: Invitation) -> str:
    """The link the invitation e-mail carries (the signed code; nothing secret is stored)."""
    return settings.BASE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


def pending_invitation_rows(organisation: Organisation) -> list[PendingInvitation]:
    """Invitations not yet accepted, newest first, each with its link."""
    invitations = org_selectors.pending_invitations(organisation).select_related("team")
    return [PendingInvitation(invitation=i, link=invitation_link(i)) for i in invitations]
