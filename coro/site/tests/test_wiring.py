"""Every hook's registrations, as coro/site/wiring.py makes them."""

from coro.connections import hooks as connections_hooks
from coro.people import hooks as people_hooks
from coro.program import hooks as program_hooks
from coro.site import wiring


def test_the_hooks_carry_exactly_the_registrations_of_the_wiring():
    assert list(program_hooks.on_program_leave.receivers) == [
        "sharing.cancel_scheduled_posts",
        "sharing.detach_links",
        "connections.disconnect_accounts",
    ]
    assert list(people_hooks.on_member_deactivated.receivers) == ["program.leave"]
    assert list(people_hooks.on_member_removed.receivers) == [
        "program.leave",
        "connections.disconnect_accounts",
    ]
    assert list(connections_hooks.on_account_disconnect.receivers) == [
        "sharing.cancel_account_posts"
    ]


def test_connecting_twice_registers_nothing_twice():
    wiring.connect()
    wiring.connect()
    assert len(program_hooks.on_program_leave.receivers) == 3
    assert len(people_hooks.on_member_deactivated.receivers) == 1
    assert len(people_hooks.on_member_removed.receivers) == 2
    assert len(connections_hooks.on_account_disconnect.receivers) == 1
