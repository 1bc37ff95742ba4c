"""Invitation links: the invitation's code, signed with SECRET_KEY, so no secret is stored."""

from django.core import signing

from coro.orgs.models import Invitation

INVITATION_SALT = "coro.orgs.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the invitation link."""
    return signing.dumps(invitation.code, salt=INVITATION_SALT)
