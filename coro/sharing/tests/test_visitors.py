"""Telling visits apart without knowing the visitor (``coro.sharing.visitors``): the
client's address, previews, the salt of the day and the keys made with it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from coro.sharing import visitors
from coro.sharing.models import VisitSalt
from coro.sharing.visitors import (
    client_address,
    day_end,
    hour_end,
    is_preview,
    salt_of,
    salts_prune,
    visit_keys,
)

from .visiting import BROWSER

AT = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)

# --- The client's address ----------------------------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_a_forged_header_from_an_untrusted_address_changes_nothing(behind_proxy):
    assert client_address("203.0.113.5", "") == "203.0.113.5"
    assert client_address("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    assert client_address("203.0.113.5", "10.0.0.1, 198.51.100.1") == "203.0.113.5"


@pytest.mark.parametrize(
    ("forwarded", "visitor"),
    [
        ("198.51.100.1", "198.51.100.1"),
        # Whatever the visitor wrote themselves comes first; the proxy appends the address
        # it saw: the right-most untrusted entry.
        ("1.2.3.4, 198.51.100.1", "198.51.100.1"),
        ("forged, 1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Chains of trusted proxies are skipped.
        ("1.2.3.4, 198.51.100.1, 10.1.1.1", "198.51.100.1"),
        ("198.51.100.1,10.1.1.1 , 10.2.2.2", "198.51.100.1"),
        # Ports some proxies add, and IPv6.
        ("198.51.100.1:51234", "198.51.100.1"),
        ("[2001:db8::5]:443", "2001:db8::5"),
        ("2001:db8::5, 2001:db8:ffff::1", "2001:db8::5"),
    ],
)
def test_through_a_trusted_proxy_the_right_most_untrusted_hop_is_the_visitor(
    behind_proxy, forwarded, visitor
):
    assert client_address("10.0.0.2", forwarded) == visitor


def test_through_a_trusted_proxy_without_a_header_the_proxy_is_the_visitor(behind_proxy):
    assert client_address("10.0.0.2", "") == "10.0.0.2"
    assert client_address("10.0.0.2", "10.9.9.9") == "10.9.9.9"  # all trusted: the first


def test_changed_trusted_proxies_are_read_again(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address("10.0.0.2", "198.51.100.1") == "198.51.100.1"
    settings.TRUSTED_PROXIES = ["192.0.2.0/24"]
    assert client_address("10.0.0.2", "198.51.100.1") == "10.0.0.2"


# --- Previews ----------------------------------------------------------------------------


def test_a_person_following_the_link_is_a_visit():
    assert not is_preview("GET", BROWSER, {})
    assert not is_preview("GET", BROWSER, {"purpose": "", "sec-fetch-mode": "navigate"})


@pytest.mark.parametrize(
    ("method", "user_agent", "headers"),
    [
        ("HEAD", BROWSER, {}),
        ("OPTIONS", BROWSER, {}),
        ("GET", BROWSER, {"purpose": "prefetch"}),
        ("GET", BROWSER, {"sec-purpose": "prefetch"}),
        ("GET", BROWSER, {"sec-purpose": "prefetch;prerender"}),
        ("GET", BROWSER, {"x-moz": "prefetch"}),
        ("GET", BROWSER, {"x-purpose": "preview"}),
        ("GET", "facebookexternalhit/1.1", {}),
        ("GET", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", {}),
        ("GET", "", {}),
    ],
)
def test_previews_prefetches_and_bots_are_previews(method, user_agent, headers):
    assert is_preview(method, user_agent, headers)


# --- The salt of the day -----------------------------------------------------------------


def test_a_salt_is_made_once_per_day_and_kept_for_it(db):
    first = salt_of(date(2026, 3, 2))
    assert len(first) == 32
    assert VisitSalt.objects.count() == 1
    visitors._salts.clear()  # another process: reads the stored one
    assert salt_of(date(2026, 3, 2)) == first
    assert VisitSalt.objects.count() == 1


def test_a_new_day_gets_a_new_salt(db):
    monday = salt_of(date(2026, 3, 2))
    tuesday = salt_of(date(2026, 3, 3))
    assert monday != tuesday
    assert VisitSalt.objects.count() == 2


def test_past_days_salts_are_destroyed(db):
    for day in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)):
        salt_of(day)
    assert salts_prune(now=datetime(2026, 3, 2, 0, 0, 1, tzinfo=UTC)) == 2
    assert list(VisitSalt.objects.values_list("day", flat=True)) == [date(2026, 3, 2)]
    assert salts_prune(now=datetime(2026, 3, 2, 23, 59, tzinfo=UTC)) == 0


def test_a_destroyed_salt_is_never_made_again_the_same(db):
    old = salt_of(date(2026, 3, 1))
    salts_prune(now=datetime(2026, 3, 2, tzinfo=UTC))
    visitors._salts.clear()
    assert salt_of(date(2026, 3, 1)) != old  # a fresh random one: old keys mean nothing


# --- Keys --------------------------------------------------------------------------------


def keys(salt: bytes = b"s" * 32, **changes):
    values = {
        "salt": salt,
        "address": "198.51.100.1",
        "user_agent": BROWSER,
        "code": "abcdefghjk",
        "organisation": "orgcode123",
        "at": AT,
    }
    return visit_keys(**{**values, **changes})


def test_keys_are_fixed_length_hex_and_hide_their_inputs():
    link_key, day_key = keys()
    for key in (link_key, day_key):
        assert len(key) == 32
        int(key, 16)
        assert "198.51.100.1" not in key and "Mozilla" not in key
    assert link_key != day_key


def test_the_same_visitor_on_the_same_link_in_the_same_hour_has_one_key():
    assert keys() == keys(at=AT + timedelta(minutes=54))


def test_link_keys_differ_by_hour_link_address_and_agent_but_day_keys_only_by_visitor():
    link_key, day_key = keys()
    for changes in (
        {"at": AT + timedelta(hours=1)},
        {"code": "zzzzzzzzzz"},
        {"address": "198.51.100.2"},
        {"user_agent": BROWSER + " Extra"},
    ):
        assert keys(**changes)[0] != link_key, changes
    assert keys(at=AT + timedelta(hours=1))[1] == day_key  # the same visitor that day
    assert keys(code="zzzzzzzzzz")[1] == day_key
    assert keys(address="198.51.100.2")[1] != day_key
    assert keys(organisation="otherorg99")[1] != day_key


def test_the_same_visitor_gets_other_keys_on_another_day():
    monday, tuesday = keys(salt=b"a" * 32), keys(salt=b"b" * 32)
    assert monday[0] != tuesday[0] and monday[1] != tuesday[1]


def test_keys_depend_on_the_secret_key_too(settings):
    before = keys()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert keys() != before


def test_a_key_lasts_its_hour_or_its_day():
    assert hour_end(AT) == datetime(2026, 3, 2, 11, tzinfo=UTC)
    assert day_end(AT) == datetime(2026, 3, 3, tzinfo=UTC)
