"""``safe_next``: back to a page of this site only."""

import pytest
from django.test import RequestFactory

from coro.core.redirects import safe_next

DEFAULT = "/o/abc/"


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (
            "/o/abc/posts/x/edit/?tab=images#post-images",
            "/o/abc/posts/x/edit/?tab=images#post-images",
        ),
        ("", DEFAULT),
        ("https://example.org/", DEFAULT),
        ("http://testserver/o/abc/", DEFAULT),  # a full address, even of this site: no
        ("//example.org/x", DEFAULT),
        ("/\\example.org", DEFAULT),
        ("\\\\example.org", DEFAULT),
        ("javascript:alert(1)", DEFAULT),
        ("o/abc/", DEFAULT),
    ],
)
def test_only_a_path_on_this_site_is_followed(wanted: str, expected: str) -> None:
    rf = RequestFactory()
    assert safe_next(rf.post("/x/", {"next": wanted}), DEFAULT) == expected
    assert safe_next(rf.get("/x/", {"next": wanted}), DEFAULT) == expected


def test_the_forms_next_comes_before_the_addresss() -> None:
    request = RequestFactory().post("/x/?next=/from-address/", {"next": "/from-form/"})
    assert safe_next(request, DEFAULT) == "/from-form/"
