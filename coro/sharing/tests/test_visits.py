"""Counting the visits of tracked links honestly (issue 11, point 3): once per visitor, link
and hour; previews apart; nothing about the visitor stored; forged headers change nothing.

Visits go through the test client (``VISITS_INLINE``: counted at once); the clock is the
redirect's (``visiting.clock``)."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import OperationalError, connection

from coro.sharing import visits
from coro.sharing.models import Click, Preview, VisitSalt, VisitSeen
from coro.sharing.visitors import salts_prune
from coro.sharing.visits import (
    PREVIEW,
    SEEN_GRACE,
    VISIT,
    VisitLine,
    seen_prune,
    visits_ingest,
)
from testing.factories import PostFactory, ShareFactory, TeamFactory

from .visiting import BROWSER, VISITOR, visit

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"


@pytest.fixture
def share(db):
    return ShareFactory(post__link="https://example.com/landing?x=1")


def clicks(share=None) -> int:
    return (Click.objects.filter(share=share) if share else Click.objects).count()


# --- Once per visitor, link and hour ------------------------------------------------------


def test_the_same_visitor_twice_in_an_hour_is_one_visit(client, share, clock):
    assert visit(client, share).status_code == 302
    clock.advance(minutes=50)
    assert visit(client, share).status_code == 302  # still sent on
    assert clicks(share) == 1


def test_the_same_visitor_the_next_hour_is_another_visit(client, share, clock):
    visit(client, share)
    clock.advance(hours=1)
    visit(client, share)
    assert clicks(share) == 2
    assert [c.at for c in Click.objects.order_by("at")] == [
        datetime(2026, 3, 2, 10, 5, tzinfo=UTC),
        datetime(2026, 3, 2, 11, 5, tzinfo=UTC),
    ]


def test_the_hour_is_the_clock_hour_not_sixty_minutes(client, share, clock):
    clock.at = datetime(2026, 3, 2, 10, 59, tzinfo=UTC)
    visit(client, share)
    clock.advance(minutes=2)  # 11:01: another hour
    visit(client, share)
    assert clicks(share) == 2


def test_another_agent_or_address_is_another_visitor(client, share, clock):
    visit(client, share)
    visit(client, share, user_agent=PHONE)
    visit(client, share, address="198.51.100.78")
    visit(client, share, address="2001:db8::1")
    visit(client, share)  # the first again
    assert clicks(share) == 4


def test_another_link_is_another_visit(client, share, clock):
    other = ShareFactory(
        post=share.post, network="bluesky", membership__organisation=share.post.organisation
    )
    visit(client, share)
    visit(client, other)
    assert (clicks(share), clicks(other)) == (1, 1)


def test_the_query_string_of_the_tracked_link_changes_nothing(client, share, clock):
    plain = visit(client, share, address="198.51.100.1")
    tricked = visit(
        client,
        share,
        address="198.51.100.2",
        query="next=https://evil.example&utm_source=evil&url=javascript:alert(1)",
    )
    assert tricked.status_code == plain.status_code == 302
    assert tricked["Location"] == plain["Location"]
    assert "evil" not in tricked["Location"]


# --- New visitors of the day --------------------------------------------------------------


def test_new_visitor_only_for_the_first_visit_to_the_organisation_that_day(client, share, clock):
    organisation = share.post.organisation
    other_post = ShareFactory(
        post=PostFactory(organisation=organisation), membership__organisation=organisation
    )
    visit(client, share)  # 10:05, new
    clock.advance(hours=1)
    visit(client, share)  # 11:05, counted, not new
    visit(client, other_post)  # another link of the same organisation: not new
    visit(client, share, user_agent=PHONE)  # another visitor: new
    rows = list(Click.objects.order_by("pk").values_list("new_visitor", flat=True))
    assert rows == [True, False, False, True]


def test_a_new_utc_day_makes_everyone_new_again(client, share, clock):
    clock.at = datetime(2026, 3, 2, 23, 50, tzinfo=UTC)
    visit(client, share)
    clock.advance(minutes=20)  # 00:10 the next day
    visit(client, share)
    assert list(Click.objects.order_by("pk").values_list("new_visitor", flat=True)) == [
        True,
        True,
    ]
    assert VisitSalt.objects.count() == 2


def test_another_organisation_counts_its_own_new_visitors(client, share, clock):
    elsewhere = ShareFactory()
    visit(client, share)
    visit(client, elsewhere)
    assert list(Click.objects.values_list("new_visitor", flat=True)) == [True, True]


def test_the_sharers_team_at_the_time_of_the_visit_is_kept(client, clock, db):
    team = TeamFactory()
    share = ShareFactory(
        membership__organisation=team.organisation,
        membership__team=team,
        post__organisation=team.organisation,
    )
    visit(client, share)
    assert Click.objects.get().team == team


# --- Previews -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "user_agent", "headers"),
    [
        ("head", BROWSER, {}),
        ("get", BROWSER, {"HTTP_PURPOSE": "prefetch"}),
        ("get", BROWSER, {"HTTP_SEC_PURPOSE": "prefetch"}),
        ("get", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", {}),
        ("get", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient)", {}),
        ("get", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", {}),
        ("get", "WhatsApp/2.23.20.0", {}),
        ("get", "TelegramBot (like TwitterBot)", {}),
        ("get", "", {}),
    ],
)
def test_previews_get_the_redirect_and_are_counted_apart(
    client, share, clock, method, user_agent, headers
):
    response = visit(client, share, method=method, user_agent=user_agent, **headers)
    assert response.status_code == 302
    assert response["Location"].startswith("https://example.com/landing?x=1&utm_source=")
    assert clicks() == 0
    assert Preview.objects.filter(share=share).count() == 1
    assert Preview.objects.get().at == clock.at
    assert not VisitSeen.objects.exists()  # a preview takes no key either


def test_every_preview_is_counted_but_does_not_stop_the_visit_after_it(client, share, clock):
    visit(client, share, user_agent="Twitterbot/1.0")
    visit(client, share, user_agent="Twitterbot/1.0")
    visit(client, share, HTTP_SEC_PURPOSE="prefetch")
    visit(client, share)  # the person then opens it: a visit
    assert Preview.objects.count() == 3
    assert clicks() == 1


# --- Nothing about the visitor ------------------------------------------------------------


def _all_stored_values() -> list[bytes]:
    """Every value in every table of the database, as bytes."""
    values: list[bytes] = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        values.append(bytes(value))
                    elif value is not None:
                        values.append(str(value).encode())
    return values


def test_no_address_or_user_agent_is_stored_anywhere(client, share, clock, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    agent = "Mozilla/5.0 (X11; Linux) UniqueAgent/9.9.9"
    forwarded = "203.0.113.99"
    visit(client, share, user_agent=agent)
    clock.advance(hours=1)
    visit(client, share, user_agent=agent)
    visit(client, share, address="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded, user_agent=agent)
    visit(client, share, user_agent=agent + " bot/1.0")  # a preview
    assert (clicks(), Preview.objects.count()) == (3, 1)

    for model in (Click, Preview, VisitSeen, VisitSalt, visits.SpoolCursor):
        for row in model.objects.values_list():
            text = " ".join(str(v) for v in row)
            assert VISITOR not in text and forwarded not in text and "UniqueAgent" not in text
    needles = [VISITOR, forwarded, "10.0.0.5", "UniqueAgent", "198.51.100"]
    for value in _all_stored_values():
        for needle in needles:
            assert needle.encode() not in value, (needle, value[:80])


# --- Forged headers -----------------------------------------------------------------------


def test_a_forged_forwarded_for_from_an_untrusted_address_changes_nothing(
    client, share, clock, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    visit(client, share)
    for forged in ("203.0.113.1", "203.0.113.2", "10.0.0.1", "1.1.1.1, 203.0.113.3"):
        response = visit(client, share, HTTP_X_FORWARDED_FOR=forged)
        assert response.status_code == 302
    assert clicks() == 1  # the same visitor every time


def test_through_a_trusted_proxy_the_forwarded_address_is_the_visitor(
    client, share, clock, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.5"
    visit(client, share, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1")
    visit(client, share, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.2")
    # The visitor writes their own header; the proxy appends the address it saw.
    visit(client, share, address=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.1")
    visit(client, share, address=proxy, HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.2")
    assert clicks() == 2
    # Without a trusted proxy, everyone behind that proxy is one visitor.
    settings.TRUSTED_PROXIES = []
    visit(client, share, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.3")
    visit(client, share, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.4")
    assert clicks() == 3


# --- Unknown codes, bad lines -------------------------------------------------------------


@pytest.mark.parametrize("code", ["doesnotexist", "2345678923", "abc", "a" * 16, "x" * 40])
def test_unknown_codes_are_404_and_count_nothing(client, share, clock, code):
    response = client.get(f"/r/{code}", REMOTE_ADDR=VISITOR, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404
    assert client.head(f"/r/{code}", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert not Click.objects.exists() and not Preview.objects.exists()
    assert not VisitSeen.objects.exists()


def test_a_deleted_post_leaves_a_dead_link(client, share, clock):
    visit(client, share)
    share.post.delete()
    from coro.sharing import hotpath

    hotpath.cache_forget(share.code)  # the redirect's cache forgets after LINK_TTL
    assert visit(client, share, user_agent=PHONE).status_code == 404


def line(kind=VISIT, code="abcdefghjk", link_key="l" * 32, day_key="d" * 32, at=None) -> str:
    at = at or datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    return VisitLine(at=at, kind=kind, code=code, link_key=link_key, day_key=day_key).text()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "garbage\n",
        "1772445900000\tv\tabc\n",  # too few fields
        "1772445900000\tx\tabc\tk\td\n",  # no such kind
        "notanumber\tv\tabc\tk\td\n",
        "-5\tv\tabc\tk\td\n",
        "99999999999999999999999\tv\tabc\tk\td\n",  # out of range
        "1772445900000\tv\t\tk\td\n",  # no code
        "1772445900000\tv\t" + "a" * 17 + "\tk\td\n",  # code too long
        "1772445900000\tv\tabc\t\td\n",  # a visit without its keys
        "1772445900000\tv\tabc\tk\td\textra\n",
        "\x00\x01\x02\n",
        "\ufffd\ufffd\tv\tabc\tk\td\n",
    ],
)
def test_malformed_lines_are_skipped_never_raise(share, text):
    assert VisitLine.parse(text) is None
    counted = visits_ingest([text, line(code=share.code)])
    assert (counted.malformed, counted.visits) == (1, 1)


def test_lines_round_trip(share):
    at = datetime(2026, 3, 2, 10, 5, 7, 123000, tzinfo=UTC)
    text = line(code=share.code, at=at)
    assert VisitLine.parse(text) == VisitLine(
        at=at, kind=VISIT, code=share.code, link_key="l" * 32, day_key="d" * 32
    )
    assert VisitLine.parse(line(PREVIEW, link_key="", day_key="")) is not None


def test_ingest_dedupes_within_a_batch_and_across_batches(share):
    first = visits_ingest([line(code=share.code), line(code=share.code)])
    again = visits_ingest([line(code=share.code)])
    other = visits_ingest([line(code=share.code, link_key="m" * 32)])
    assert (first.visits, first.repeats, again.visits, again.repeats) == (1, 1, 0, 1)
    assert other.visits == 1
    assert list(Click.objects.order_by("pk").values_list("new_visitor", flat=True)) == [
        True,
        False,  # the same day key
    ]


def test_ingest_counts_unknown_codes_apart(share):
    counted = visits_ingest([line(code="nosuchcode"), line(PREVIEW, code="nosuchcode")])
    assert counted.unknown == 2
    assert not Click.objects.exists() and not Preview.objects.exists()
    assert not VisitSeen.objects.exists()


# --- Keys expire --------------------------------------------------------------------------


def test_seen_prune_deletes_expired_keys_only(share):
    """A key lasts its hour (or day) and ``SEEN_GRACE`` more, for lines counted late."""
    assert timedelta(hours=1) == SEEN_GRACE
    visits_ingest([line(code=share.code)])  # 10:05: link key until 12:00, day key until 01:00
    assert VisitSeen.objects.count() == 2
    assert seen_prune(now=datetime(2026, 3, 2, 11, 59, tzinfo=UTC)) == 0
    assert seen_prune(now=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)) == 1
    assert VisitSeen.objects.get().expires_at == datetime(2026, 3, 3, 1, tzinfo=UTC)
    assert seen_prune(now=datetime(2026, 3, 3, 1, tzinfo=UTC)) == 1
    assert not VisitSeen.objects.exists()


def test_a_line_counted_late_still_finds_its_key(share):
    """10:59:59 is counted at 11:00:01, after the hourly prune ran at 11:00: still a repeat
    of the visit at 10:05."""
    visits_ingest([line(code=share.code)])
    seen_prune(now=datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    late = line(code=share.code, at=datetime(2026, 3, 2, 10, 59, 59, tzinfo=UTC))
    assert visits_ingest([late]).repeats == 1
    assert Click.objects.count() == 1


def test_pruning_salts_and_keys_keeps_the_counted_visits(client, share, clock):
    visit(client, share)
    clock.advance(days=1)
    visit(client, share)
    assert VisitSalt.objects.count() == 2
    assert salts_prune(now=clock.at) == 1
    assert seen_prune(now=clock.at) == 2  # yesterday's link and day keys
    assert VisitSeen.objects.count() == 2  # today's
    assert clicks() == 2
    clock.advance(minutes=10)
    visit(client, share)  # today's keys still work: the same hour, a repeat
    assert clicks() == 2


def test_keys_of_the_same_visitor_differ_across_days(client, share, clock):
    visit(client, share)
    first = set(VisitSeen.objects.values_list("key", flat=True))
    clock.advance(days=1)
    visit(client, share)
    second = set(VisitSeen.objects.values_list("key", flat=True)) - first
    assert len(first) == len(second) == 2
    assert not first & second


# --- Batches counted at the same time -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_batches_counted_at_once_count_each_visitor_once():
    """Web processes count their batches at the same time: one at a time across processes
    (an advisory lock on PostgreSQL, the write lock on SQLite), so a key is counted once."""
    share = ShareFactory()
    texts = [
        line(code=share.code, link_key=f"l{n % 20:031x}", day_key=f"d{n % 20:031x}")
        for n in range(60)
    ]
    failures: list[str] = []

    def count() -> None:
        try:
            for _ in range(100):
                try:
                    visits_ingest(texts)
                    return
                except OperationalError:  # SQLite busy: the spool tries again later too
                    time.sleep(0.02)
            failures.append("gave up")
        except Exception as error:  # e.g. a key inserted twice: the lock did not hold
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Click.objects.count() == 20
    assert Click.objects.filter(new_visitor=True).count() == 20
    assert VisitSeen.objects.count() == 40
