"""Fixtures for every test: the three-person tenancy and a plain user.

The test support (``testing/``) lives outside the shipped package.
"""

import pytest

from coro.accounts.models import User
from testing.factories import UserFactory
from testing.tenancy import Tenancy, tenancy_create


@pytest.fixture
def tenancy(db: None) -> Tenancy:
    return tenancy_create()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()
