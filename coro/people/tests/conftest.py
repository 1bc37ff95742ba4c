import pytest


@pytest.fixture
def admin(tenancy):
    """The admin, reading Coro in English (the texts the tests look for)."""
    client = tenancy.client_for(tenancy.admin.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
