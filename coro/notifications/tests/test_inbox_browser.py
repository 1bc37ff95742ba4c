"""In a browser: the bell's count changes without reloading the page once the person uses
it, a page left alone asks the server nothing, and the history fits a 390 px phone."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, expect

from coro.notifications.models import Notification
from coro.tests.test_phone_width import context_for, too_wide
from testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Comunicacionesinternacionalesdelaferiadeprimaveradecerámicaartesanaldevalencia"


def delivered(user, subject: str, minutes_ago: int = 0) -> Notification:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        user=user,
        kind=Notification.Kind.NEW_POST,
        subject=subject,
        body=f"{LONG} " * 3,
        link=f"/o/abc/posts/{LONG}/",
        created_at=at,
        deliver_after=at,
        delivered_at=at,
        channel="in_app",
    )


def test_the_bell_shows_a_new_notification_once_the_person_uses_the_page(
    live_server, browser: Browser
) -> None:
    person = UserFactory.create(language="en")
    context = context_for(browser, live_server.url, person)
    # The texts read here are English (the phone context asks for Spanish).
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on(
            "request", lambda r: asked.append(r.url) if "/notifications/bell/" in r.url else None
        )
        page.goto(f"{live_server.url}/accounts/profile/")
        bell = page.locator("#notification-bell")
        expect(bell).to_have_accessible_name("Notifications, none unread")
        # A minute, for this test a tenth of a second.
        bell.evaluate("bell => bell.setAttribute('data-refresh-after', '100')")

        delivered(person, "New post: Tiles")
        page.wait_for_timeout(400)
        assert asked == []  # nobody used the page: it asked nothing

        page.keyboard.press("Shift")
        expect(page.locator("#notification-bell")).to_have_accessible_name(
            "Notifications, 1 unread"
        )
        expect(page.locator(".bell-count")).to_have_text("1")
        assert len(asked) == 1 and asked[0].endswith("?count=0")
        assert page.locator(".bell-live[aria-live='polite'] #notification-bell").count() == 1

        # The count shown is still right: the server answers 204, the bell stays as it is.
        page.locator("#notification-bell").evaluate(
            "bell => bell.setAttribute('data-refresh-after', '100')"
        )
        page.wait_for_timeout(200)
        with page.expect_response(lambda r: "/notifications/bell/" in r.url) as answer:
            page.keyboard.press("Shift")
        assert answer.value.status == 204
        expect(page.locator("#notification-bell")).to_have_accessible_name(
            "Notifications, 1 unread"
        )
    finally:
        context.close()


def test_the_history_fits_a_phone(live_server, browser: Browser) -> None:
    person = UserFactory.create(language="es")
    for n in range(3):
        delivered(person, f"{LONG} {n}", minutes_ago=n)
    context = context_for(browser, live_server.url, person)
    try:
        assert list(too_wide(context, live_server.url, ["/notifications/"])) == []
    finally:
        context.close()
