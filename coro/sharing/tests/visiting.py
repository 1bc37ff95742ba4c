"""What the tests of tracked-link visits share: a visit through the test client (the clock
and the fresh cache are fixtures in ``conftest.py``)."""

from typing import Any

from django.test import Client

from coro.sharing.models import Share

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
VISITOR = "198.51.100.77"  # an address no other part of a test uses


def visit(
    client: Client,
    share: Share,
    *,
    address: str = VISITOR,
    user_agent: str = BROWSER,
    method: str = "get",
    query: str = "",
    **headers: str,
) -> Any:
    """One fetch of the share's tracked link, as ``address`` with ``user_agent``."""
    path = f"/r/{share.code}" + (f"?{query}" if query else "")
    fetch = getattr(client, method)
    return fetch(path, REMOTE_ADDR=address, HTTP_USER_AGENT=user_agent, **headers)
