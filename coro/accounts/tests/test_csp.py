"""A Content-Security-Policy on every page: scripts only from Coro's own files, no inline
script and no inline event handler anywhere."""

import re

import pytest

# The list of every page, kept in one place.
from coro.tests.test_pages import pages  # noqa: F401  (a fixture)

PUBLIC = [
    "/",
    "/accounts/login/",
    "/accounts/password-reset/",
    "/accounts/password/reset/done/",
    "/accounts/signup/",
]
PERSONAL = ["/accounts/2fa/", "/accounts/2fa/webauthn/", "/accounts/password/change/"]

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def check(response) -> None:
    url = response.request["PATH_INFO"]
    assert "Content-Security-Policy" in response, url
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], url
    assert policy["script-src"] == ["'self'"], url
    assert "'unsafe-inline'" not in policy["script-src"], url
    assert "'unsafe-eval'" not in policy["script-src"], url
    assert policy["style-src"] == ["'self'"], url
    assert policy["style-src-attr"] == ["'unsafe-inline'"], url  # style="" only, decided
    assert policy["img-src"] == ["'self'", "data:"], url
    assert policy["form-action"][0] == "'self'", url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert policy["object-src"] == ["'none'"], url
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html))
    assert not EVENT_HANDLER.search(html), (url, EVENT_HANDLER.search(html))


def test_every_page_of_the_list_has_the_policy(tenancy, pages):  # noqa: F811
    client = tenancy.client_for(tenancy.admin.user)
    for url in pages + PERSONAL:
        response = client.get(url)
        assert response.status_code == 200, url
        check(response)


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_have_the_policy(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    check(response)


def test_the_patterns_recognise_what_they_forbid():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/coro/coro.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="x">{}</script>')
    assert EVENT_HANDLER.search('<select name="language" onchange="this.form.submit()">')
    assert not EVENT_HANDLER.search('<select name="language" data-submit-on-change>')


def test_the_language_switch_works_through_the_static_script(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "data-submit-on-change" in html
    assert '<script src="/static/coro/coro.js" defer></script>' in html
    assert client.get("/static/coro/coro.js").status_code == 200


def test_htmx_is_told_not_to_add_inline_styles(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '"includeIndicatorStyles": false' in html
