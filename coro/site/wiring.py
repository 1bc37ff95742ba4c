"""Every registration on every hook, in one place.

A lower app offers a hook (``coro.core.hooks.Hook``); the apps above it register here what
they do on it. ``coro/site/tests/test_wiring.py`` checks this list against what runs.
"""

from coro.connections import hooks as connections_hooks
from coro.connections.models import ConnectedAccount
from coro.connections.services import accounts_disconnect_all
from coro.orgs.models import Membership
from coro.people import hooks as people_hooks
from coro.program import hooks as program_hooks
from coro.program.services import program_leave
from coro.sharing.posting import scheduled_posts_cancel_for, scheduled_posts_cancel_for_account
from coro.sharing.services import shares_detach


def _sharing_detach_links(membership: Membership) -> None:
    shares_detach(membership=membership)


def _sharing_cancel_scheduled_posts(membership: Membership) -> None:
    scheduled_posts_cancel_for(membership=membership)


def _sharing_cancel_account_posts(account: ConnectedAccount) -> None:
    scheduled_posts_cancel_for_account(account=account)


def _connections_disconnect_accounts(membership: Membership) -> None:
    accounts_disconnect_all(membership=membership)


def _program_leave(membership: Membership) -> None:
    program_leave(membership=membership)


def connect() -> None:
    # Leaving the program: nothing more is posted on their accounts (first, while their
    # shares still name them) ...
    program_hooks.on_program_leave.register(
        "sharing.cancel_scheduled_posts", _sharing_cancel_scheduled_posts
    )
    # ... tracked links keep working and counting, anonymously ...
    program_hooks.on_program_leave.register("sharing.detach_links", _sharing_detach_links)
    # ... and Coro lets go of their connected accounts: revoked where the network allows,
    # their tokens deleted.
    program_hooks.on_program_leave.register(
        "connections.disconnect_accounts", _connections_disconnect_accounts
    )
    # An admin deactivates or removes a member: they leave the program, as if they had
    # left themselves (so their links are detached through on_program_leave above).
    people_hooks.on_member_deactivated.register("program.leave", _program_leave)
    people_hooks.on_member_removed.register("program.leave", _program_leave)
    # A removed member's accounts are revoked before the membership (and with it the
    # accounts) is deleted, even if they never took part in the program.
    people_hooks.on_member_removed.register(
        "connections.disconnect_accounts", _connections_disconnect_accounts
    )
    # Disconnecting an account: the posts still waiting to go out through it are cancelled
    # (not left to fail later, even after the person connects again).
    connections_hooks.on_account_disconnect.register(
        "sharing.cancel_account_posts", _sharing_cancel_account_posts
    )
