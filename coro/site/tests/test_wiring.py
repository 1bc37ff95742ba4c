"""Every hook's registrations, as coro/site/wiring.py makes them."""

from coro.program import hooks as program_hooks
from coro.site import wiring


def test_the_hooks_carry_exactly_the_registrations_of_the_wiring():
    assert list(program_hooks.on_program_leave.receivers) == ["sharing.detach_links"]


def test_connecting_twice_registers_nothing_twice():
    wiring.connect()
    wiring.connect()
    assert len(program_hooks.on_program_leave.receivers) == 1
