"""The hooks connections offers to the apps above it (registered in coro/site/wiring.py)."""

from coro.connections.models import ConnectedAccount
from coro.core.hooks import Hook

# A connected account is being disconnected (by the person, or because they leave the
# program or the organisation): receivers run before it is deleted, so they still see it
# (sharing cancels the posts still waiting to go out through it).
on_account_disconnect: Hook[ConnectedAccount] = Hook("connections.account_disconnect")
