"""Hooks: where a lower app lets the apps above it act, without importing them.

Dependencies between apps run one way (docs/development.md). When something in a lower
app must make a higher one act (a person leaving the program must detach their tracked
links in sharing), the lower app offers a ``Hook`` and the higher one registers a function
on it. Every registration is made in one place, ``coro/site/wiring.py``, so reading that
file tells everything that runs on each hook.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Hook(Generic[T]):
    """Named receivers, run in registration order with the hook's one argument."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: dict[str, Callable[[T], object]] = {}

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {', '.join(self._receivers) or 'no receivers'}>"

    def register(self, name: str, receiver: Callable[[T], object]) -> None:
        """Add ``receiver`` under ``name``; registering a name again replaces it."""
        self._receivers[name] = receiver

    @property
    def receivers(self) -> dict[str, Callable[[T], object]]:
        return dict(self._receivers)

    def run(self, argument: T) -> None:
        for receiver in self._receivers.values():
            receiver(argument)
