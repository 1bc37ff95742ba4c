"""What the orgs app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.orgs.models import Invitation, Membership, Organisation, Team


def memberships(user: User) -> list[dict[str, Any]]:
    rows = (
        Membership.objects.filter(user=user)
        .select_related("organisation", "team")
        .order_by("organisation__name")
    )
    return [
        {
            "organisation": m.organisation.name,
            "organisation_code": m.organisation.code,
            "member_code": m.code,
            "role": m.role,
            "team": m.team.name if m.team else None,
            "created_at": m.created_at,
            "recognition_opt_in": m.recognition_opt_in,
            "consent_ref": m.consent_ref,
        }
        for m in rows
    ]


def invitations(user: User) -> dict[str, list[dict[str, Any]]]:
    def row(i: Invitation) -> dict[str, Any]:
        return {
            "organisation": i.organisation.name,
            "email": i.email,
            "role": i.role,
            "created_at": i.created_at,
            "expires_at": i.expires_at,
            "accepted_at": i.accepted_at,
        }

    rows = Invitation.objects.select_related("organisation").order_by("created_at")
    return {
        "received": [row(i) for i in rows.filter(email__iexact=user.email)],
        "sent": [row(i) for i in rows.filter(invited_by=user)],
    }


FILES = [
    PersonalDataFile(
        "memberships.json",
        (Membership,),
        memberships,
        _("Your organisations, roles, teams, recognition choice and consent pseudonym."),
    ),
    PersonalDataFile(
        "invitations.json",
        (Invitation,),
        invitations,
        _("Invitations you received or sent."),
    ),
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    Organisation: "the company's own settings",
    Team: "a team's name; a person's team is in memberships.json",
}


def erase(user: AbstractBaseUser) -> None:
    """Invitations to the person's address go: they name them."""
    Invitation.objects.filter(email__iexact=getattr(user, "email", "")).delete()
