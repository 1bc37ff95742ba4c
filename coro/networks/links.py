"""The tracked link ``/r/<code>`` as shares carry it: on this site's configured address
(``settings.BASE_URL``), whichever address a page was asked on. Suggested texts are counted
with an example of the same length, so the page's counter and the server's check agree."""

from django.conf import settings
from django.urls import reverse

# Tracked links' codes are this long (``coro.core.codes.new_code``).
EXAMPLE_CODE = "x" * 10


def tracked_link(code: str) -> str:
    return settings.BASE_URL + reverse("tracked_redirect", args=[code])


def tracked_link_example() -> str:
    """A tracked link as long as the real ones: what a suggested text goes out with."""
    return tracked_link(EXAMPLE_CODE)
