"""Where tracked links may lead (issue 11, point 1): checked when the link is made and at
every redirect (``coro.core.targets``)."""

import math
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ValidationError

from coro.core.codes import ALPHABET, new_code
from coro.core.targets import target_allowed, validate_target, with_utm


@pytest.fixture(autouse=True)
def coro_hosts(settings):
    settings.BASE_URL = "https://coro.example"
    settings.ALLOWED_HOSTS = [
        "coro.example",
        "www.coro.example",
        ".coro-app.example",
        "[2001:db8::7]",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "https://example.com/",
        "http://example.com/landing?x=1&y=2#top",
        "HTTPS://Example.COM/Path",
        "https://example.com:8443/a",
        "https://sub.example.co.uk/a/b?q=%20",
        "https://bücher.example/",
        "https://93.184.216.34/",
        "http://[2001:db8::1]:8080/",
        "https://coro.example.org/",  # only ends like Coro's host
        "https://notcoro.example/",
        "https://example.com/?next=https://coro.example/",  # a parameter is just a parameter
    ],
)
def test_web_addresses_elsewhere_are_allowed(url):
    assert target_allowed(url) is True
    validate_target(url)  # no error


@pytest.mark.parametrize(
    "url",
    [
        # Not http(s), or no host.
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/file",
        "mailto:a@example.com",
        "//evil.example",
        "//evil.example/path",
        "evil.example",
        "/relative/path",
        "http:/x",
        "http:evil.example",
        "https://",
        "https:///evil.example",
        "https://:443/",
        "",
        # Spaces, control and invisible characters, backslashes.
        "https://exa mple.com/",
        " https://example.com/",
        "https://example.com/ ",
        "https://example.com/\n",
        "https://example.com/\tx",
        "https://example.com/\x00",
        "https://example.com/\x7f",
        "https://example.com/\u200b",
        "https://example.com/\u00a0",
        "https:\\\\evil.example",
        "https://evil.example\\@example.com/",
        "http:\\/evil.example",
        # Bad ports.
        "https://example.com:99999/",
        "https://example.com:-1/",
        "https://example.com:abc/",
        "https://example.com:0/",
        "https://example.com:/",
        # A user name before the host, hosts that are not host names.
        "https://coro.example@evil.example/",
        "https://user:pass@example.com/",
        "https://%65vil.example/",
        "https://exa%2Fmple.com/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://127.1/",
        "https://a..b/",
        "https://[evil]/",
    ],
)
def test_other_addresses_are_refused(url):
    assert target_allowed(url) is False


@pytest.mark.parametrize(
    "url",
    [
        "https://coro.example/",
        "http://coro.example/org/x/",
        "https://CORO.EXAMPLE/",
        "https://coro.example./",
        "https://coro.example:8443/",
        "https://Coro.Example.:443/r/abc",
        "https://www.coro.example/",
        "https://coro-app.example/",  # ".coro-app.example" covers itself...
        "https://eu.coro-app.example/",  # ...and its subdomains
        "http://[2001:db8::7]/",
        "http://[2001:0db8:0:0::7]:8000/",  # the same address written another way
        "https://coro。example/",  # an ideographic full stop is read as "."
    ],
)
def test_own_host_is_refused(url):
    assert target_allowed(url) is False


def test_base_url_host_is_own_even_when_not_an_allowed_host(settings):
    settings.BASE_URL = "https://links.coro.example:8443"
    settings.ALLOWED_HOSTS = ["*"]
    assert target_allowed("https://links.coro.example/x") is False
    assert target_allowed("https://LINKS.coro.example.:1/x") is False
    assert target_allowed("https://example.com/x") is True  # "*" makes not everything own


def test_validator_says_what_is_wrong(settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as caught:
        validate_target("javascript:alert(1)")
    assert caught.value.code == "target"
    assert "http://" in caught.value.messages[0]
    assert "Coro" in caught.value.messages[0]
    validate_target("")  # no link is not a bad link


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_utm_parameters_are_added():
    url = with_utm("https://example.com/landing", source="linkedin", campaign="new-tiles")
    assert url == (
        "https://example.com/landing"
        "?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=new-tiles"
    )


def test_other_parameters_and_fragment_are_kept_as_written():
    url = with_utm(
        "https://example.com/p?a=1&b=x%20y&flag&c=%2B#section-2", source="x", campaign="c"
    )
    parts = urlsplit(url)
    assert parts.fragment == "section-2"
    assert parts.query.startswith("a=1&b=x%20y&flag&c=%2B&")
    assert _query(url)[-3:] == [
        ("utm_source", "x"),
        ("utm_medium", "employee_advocacy"),
        ("utm_campaign", "c"),
    ]


def test_existing_utm_parameters_are_replaced_not_repeated():
    url = with_utm(
        "https://example.com/?utm_source=newsletter&keep=1&utm_medium=email&utm_campaign=old"
        "&utm_content=hero",
        source="bluesky",
        campaign="launch",
    )
    query = _query(url)
    assert query == [
        ("keep", "1"),
        ("utm_content", "hero"),  # not one of ours: kept
        ("utm_source", "bluesky"),
        ("utm_medium", "employee_advocacy"),
        ("utm_campaign", "launch"),
    ]
    assert with_utm(url, source="bluesky", campaign="launch") == url  # idempotent


def test_utm_values_are_encoded():
    url = with_utm("https://example.com/", source="x", campaign="a b&c=d#e")
    assert _query(url)[-1] == ("utm_campaign", "a b&c=d#e")
    assert urlsplit(url).fragment == ""
    assert target_allowed(url)


def test_utm_keeps_the_target_where_it_was():
    for link in (
        "https://example.com/a?b=1#c",
        "http://example.com:8080/",
        "https://bücher.example/",
    ):
        url = with_utm(link, source="x", campaign="c")
        assert urlsplit(url).netloc == urlsplit(link).netloc
        assert urlsplit(url).path == urlsplit(link).path
        assert target_allowed(url)


def test_codes_carry_at_least_48_bits():
    """Tracked-link codes: 10 characters of a 31-letter alphabet, 10 * log2(31) ≈ 49.5 bits."""
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    code = new_code()
    assert len(code) == 10
    assert set(code) <= set(ALPHABET)
    assert len(code) * math.log2(len(ALPHABET)) >= 48
    assert len({new_code() for _ in range(1000)}) == 1000


def test_tracked_links_get_such_codes():
    from coro.sharing.models import Share

    assert Share._meta.get_field("code").default is new_code
