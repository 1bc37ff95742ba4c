"""The preferences page, the unsubscribe pages and the e-mails themselves fit a 390 px phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser

from coro.notifications.emails import digest_message, notification_message
from coro.notifications.models import Digest, Notification, Rhythm
from coro.notifications.unsubscribe import unsubscribe_token
from coro.tests.test_phone_width import WIDTH, context_for, too_wide
from testing.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Comunicaciónesinternacionalesdelaferiadeprimaveradecerámicaartesanaldevalencia"


def test_the_pages_fit_a_phone(live_server, browser: Browser) -> None:
    person = UserFactory.create(work_days="")
    token = unsubscribe_token(user=person, kinds=list(Notification.Kind.values))
    unsubscribe = reverse("notifications:unsubscribe", kwargs={"token": token})
    signed_in = context_for(browser, live_server.url, person)
    problems = list(too_wide(signed_in, live_server.url, [reverse("notifications:preferences")]))
    signed_in.close()
    signed_out = context_for(browser, live_server.url, None)
    problems += too_wide(signed_out, live_server.url, [unsubscribe, unsubscribe + "x/"])
    page = signed_out.new_page()
    page.goto(live_server.url + unsubscribe)
    page.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert page.get_by_role("status").count() == 1
    signed_out.close()
    assert problems == []


def test_the_e_mails_fit_a_phone(browser: Browser) -> None:
    organisation = OrganisationFactory.create(name=f"Cerámicas {LONG}")
    person = UserFactory.create(language="es")
    notifications = [
        Notification.objects.create(
            user=person,
            organisation=organisation,
            kind=Notification.Kind.NEW_POST,
            subject=f"{LONG} {n}",
            body=f"{LONG} " * 5,
            link=f"/o/{organisation.code}/posts/{LONG}/share/",
            deliver_after=person.date_joined,
            rhythm=Rhythm.DAILY,
        )
        for n in range(3)
    ]
    digest = Digest.objects.create(user=person, rhythm=Rhythm.DAILY)
    htmls = [
        notification_message(notifications[0]).alternatives[0][0],
        digest_message(digest, notifications).alternatives[0][0],
    ]
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    page = context.new_page()
    for html in htmls:
        assert isinstance(html, str)
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
