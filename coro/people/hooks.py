"""The hooks the People pages offer to the apps above them (registered in coro/site/wiring.py)."""

from coro.core.hooks import Hook
from coro.orgs.models import Membership

# An admin deactivated a member: stop everything that acts on their behalf (they leave the
# program). Receivers run inside the deactivating transaction, with the membership.
on_member_deactivated: Hook[Membership] = Hook("people.member_deactivated")

# An admin is removing a member: receivers run inside the removing transaction, before the
# membership is deleted, so they still see it (they leave the program first).
on_member_removed: Hook[Membership] = Hook("people.member_removed")
