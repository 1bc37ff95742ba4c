"""Fixtures for every test: the three-person tenancy and a plain user.

The test support (``testing/``) lives outside the shipped package.
"""

import os
from typing import Any

import pytest
from django.core.cache import cache

from coro.accounts.models import User
from testing.factories import UserFactory
from testing.tenancy import Tenancy, tenancy_create

# pytest-django's live_server runs in a thread while Playwright's sync API keeps an
# event loop in the main thread; Django's async-safety guard must allow that in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def tenancy(db: None) -> Tenancy:
    return tenancy_create()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()


@pytest.fixture(autouse=True)
def rate_limits_reset() -> None:
    """Rate limits count attempts in the cache, per address and per IP (all tests come from
    127.0.0.1): every test starts with none counted."""
    cache.clear()


# Browser tests: Debian's Chromium (never `playwright install`), for every app's tests.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-GB"}


@pytest.fixture(autouse=True)
def browser_contexts_closed(request: pytest.FixtureRequest) -> Any:
    """Every window a browser test opened is closed when it ends, so no page left behind
    keeps talking to the next test's server."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


@pytest.fixture(autouse=True)
def tracked_links_forgotten() -> None:
    """The redirect caches links and the day's salt per process: every test starts afresh
    (its database rows are rolled back after it)."""
    from coro.sharing import hotpath, visitors

    hotpath.cache_forget()
    visitors._salts.clear()
