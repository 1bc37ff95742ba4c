"""The person's notifications in Coro: the bell and its unread count, the history page, and
marking them read, each person their own only, and only what was delivered."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coro.notifications import inbox_views
from coro.notifications.models import Notification
from testing.factories import UserFactory

Kind = Notification.Kind
INBOX = "/notifications/"
BELL = "/notifications/bell/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def note(user, *, delivered=True, read=False, minutes_ago=0, **fields):
    """A notification for ``user``: delivered (or still held), read or not."""
    now = timezone.now()
    created = now - timedelta(minutes=minutes_ago)
    defaults = {
        "kind": Kind.NEW_POST,
        "subject": "New post: Tiles",
        "body": "“Tiles” is new in the feed.",
        "link": "/o/abc/posts/xyz/",
        "created_at": created,
        "deliver_after": created if delivered else now + timedelta(hours=10),
        "delivered_at": created if delivered else None,
        "channel": "in_app" if delivered else "",
        "read_at": now if read else None,
    }
    return Notification.objects.create(user=user, **{**defaults, **fields})


@pytest.fixture
def person(db):
    return UserFactory.create(name="Rosa Ribera")


@pytest.fixture
def client_of(client, person):
    client.force_login(person)
    return client


def bell_label(html: str) -> str:
    found = re.search(r'<span class="visually-hidden">([^<]*)</span>', html)
    assert found, html
    return found.group(1)


# --- The bell ---------------------------------------------------------------------------------


def test_the_bell_counts_delivered_unread_notifications_only(client_of, person):
    note(person)
    note(person)
    note(person, read=True)
    note(person, delivered=False)  # held until the person's working hours: not yet
    note(UserFactory.create())  # someone else's

    response = client_of.get(BELL, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert bell_label(html) == "Notifications, 2 unread"
    assert '<span class="bell-count" aria-hidden="true">2</span>' in html
    assert f'href="{INBOX}"' in html
    assert 'hx-trigger="coro-bell-refresh"' in html
    assert f'hx-get="{BELL}?count=2"' in html


def test_the_bell_says_when_nothing_is_unread(client_of, person):
    note(person, read=True)
    html = client_of.get(BELL, **HTMX).content.decode()
    assert bell_label(html) == "Notifications, none unread"
    assert "bell-count" not in html


def test_the_bell_answers_204_when_the_count_it_shows_is_still_right(client_of, person):
    note(person)
    assert client_of.get(BELL, {"count": "1"}, **HTMX).status_code == 204
    note(person)
    changed = client_of.get(BELL, {"count": "1"}, **HTMX)
    assert changed.status_code == 200
    assert bell_label(changed.content.decode()) == "Notifications, 2 unread"


def test_the_bell_of_someone_signed_out_meanwhile_stays_as_it_is(client):
    assert client.get(BELL, {"count": "3"}, **HTMX).status_code == 204


def test_the_bell_opened_as_a_page_leads_to_the_notifications(client_of):
    response = client_of.get(BELL)
    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_every_signed_in_page_has_the_bell_in_a_live_region(tenancy):
    note(tenancy.employee.user)
    client = tenancy.client_for(tenancy.employee.user)
    html = client.get(f"/o/{tenancy.org.code}/").content.decode()
    region = re.search(
        r'<span class="bell-live" aria-live="polite">(.*?)</span>\s*<details', html, re.S
    )
    assert region, "the bell is in the header, inside an aria-live region"
    assert "Notifications, 1 unread" in region.group(1)
    # The menu leads to the history and to the settings.
    assert f'href="{INBOX}"' in html
    assert 'href="/notifications/preferences/"' in html


def test_the_bell_is_not_shown_to_visitors(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "notification-bell" not in html


# --- The history ------------------------------------------------------------------------------


def test_the_history_needs_signing_in(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_history_is_paginated_newest_first_with_delivered_ones_only(client_of, person):
    for minutes in range(25):
        note(person, subject=f"Message {minutes:02d}", minutes_ago=minutes)
    note(person, subject="Held until tomorrow", delivered=False)
    note(UserFactory.create(), subject="Someone else's")

    first = client_of.get(INBOX)
    assert first.status_code == 200
    html = first.content.decode()
    subjects = re.findall(r'class="notification-subject">([^<]*)<', html)
    assert subjects == [f"Message {m:02d}" for m in range(inbox_views.PAGE_SIZE)]
    assert "Page 1 of 2" in html
    assert "Held until tomorrow" not in html
    assert "Someone else" not in html

    second = client_of.get(INBOX, {"page": "2"}).content.decode()
    assert re.findall(r'class="notification-subject">([^<]*)<', second) == [
        f"Message {m:02d}" for m in range(20, 25)
    ]
    # A page that does not exist shows the last one, not an error.
    assert client_of.get(INBOX, {"page": "99"}).status_code == 200
    assert client_of.get(INBOX, {"page": "abc"}).status_code == 200


def test_unread_ones_are_marked_for_eyes_and_screen_readers(client_of, person):
    note(person, subject="Not read yet")
    note(person, subject="Read already", read=True, minutes_ago=5)
    html = client_of.get(INBOX).content.decode()
    items = re.findall(
        r'<li class="card notification( notification-unread)?">(.*?)</li>', html, re.S
    )
    assert len(items) == 2
    (unread_class, unread), (read_class, read) = items
    assert unread_class and "Not read yet" in unread
    assert '<span class="visually-hidden">Unread: </span>' in unread
    assert not read_class and "Read already" in read
    assert "Unread:" not in read
    assert "Mark all as read" in html


def test_each_item_is_a_form_that_opens_it_without_javascript(client_of, person):
    item = note(person)
    html = client_of.get(INBOX).content.decode()
    assert f'<form method="post" action="/notifications/{item.code}/read/">' in html


def test_the_empty_history_says_what_will_show_there(client_of):
    html = client_of.get(INBOX).content.decode()
    assert "No notifications yet." in html
    assert "Mark all as read" not in html


# --- Marking read -------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_what_it_is_about(client_of, person):
    item = note(person, link="/o/abc/posts/xyz/#comment-123")
    response = client_of.post(f"/notifications/{item.code}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/o/abc/posts/xyz/#comment-123"
    item.refresh_from_db()
    assert item.read_at is not None
    first_read = item.read_at

    # Opening it again goes there again and keeps when it was first read.
    assert client_of.post(f"/notifications/{item.code}/read/").status_code == 302
    item.refresh_from_db()
    assert item.read_at == first_read


@pytest.mark.parametrize(
    "link", ["", "https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example"]
)
def test_a_notification_never_sends_the_browser_elsewhere(client_of, person, link):
    item = note(person, link=link)
    response = client_of.post(
        f"/notifications/{item.code}/read/", {"next": "/notifications/?page=2"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=2"
    item.refresh_from_db()
    assert item.read_at is not None


def test_another_persons_notification_is_not_found(client_of):
    theirs = note(UserFactory.create())
    assert client_of.post(f"/notifications/{theirs.code}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notification_still_held_is_not_found(client_of, person):
    held = note(person, delivered=False)
    assert client_of.post(f"/notifications/{held.code}/read/").status_code == 404
    assert client_of.post("/notifications/nosuchcode/read/").status_code == 404


def test_marking_read_is_a_post(client_of, person):
    item = note(person)
    assert client_of.get(f"/notifications/{item.code}/read/").status_code == 405
    assert client_of.get("/notifications/read-all/").status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_as_read_marks_the_persons_delivered_ones_only(client_of, person):
    mine = [note(person), note(person)]
    held = note(person, delivered=False)
    theirs = note(UserFactory.create())

    response = client_of.post("/notifications/read-all/", {"next": INBOX}, follow=True)
    assert response.redirect_chain == [(INBOX, 302)]
    assert "2 notifications marked as read." in response.content.decode()
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[m.pk for m in mine]))
    held.refresh_from_db()
    theirs.refresh_from_db()
    assert held.read_at is None  # it has not reached the person yet
    assert theirs.read_at is None
    assert bell_label(client_of.get(BELL, **HTMX).content.decode()) == "Notifications, none unread"

    again = client_of.post("/notifications/read-all/", follow=True)
    assert "Everything was read already." in again.content.decode()


def test_anonymous_cannot_mark_anything_read(client, person):
    item = note(person)
    response = client.post(f"/notifications/{item.code}/read/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post("/notifications/read-all/").status_code == 302
    item.refresh_from_db()
    assert item.read_at is None


def test_the_local_path_check():
    assert inbox_views.local_path("/o/x/posts/y/") == "/o/x/posts/y/"
    assert inbox_views.local_path("/o/x/posts/y/#comment-z") == "/o/x/posts/y/#comment-z"
    for bad in ["", "o/x/", "https://a.example/", "//a.example", "/\\a.example", "/a\nb"]:
        assert inbox_views.local_path(bad) is None, bad
