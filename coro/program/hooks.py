"""The hooks the program offers to the apps above it (registered in coro/site/wiring.py)."""

from coro.core.hooks import Hook
from coro.orgs.models import Membership

# A person left the program: stop everything that acted on their behalf. Receivers run
# inside the leaving transaction, with the person's membership.
on_program_leave: Hook[Membership] = Hook("program.leave")
