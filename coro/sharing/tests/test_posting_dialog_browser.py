"""The feed's share dialog, "Post now" and "Schedule it", in a real browser, with a
connected account: the dialog shows what Coro does (or what is wrong, with the person's
words kept), never a whole page inside it. The network's client is the loopback test
server's (``testing/posting_network.py``): nothing leaves this machine."""

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Route, expect

from coro import networks
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import ScheduledPost
from coro.sharing.tests.test_share_dialog_browser import LOOPBACK, signed_in
from testing.factories import (
    ConnectedAccountFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    TermsFactory,
)
from testing.posting_network import NETWORK, HttpTestClient, post_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network_server(monkeypatch):
    with post_server() as state:
        client = HttpTestClient(state.url)
        monkeypatch.setitem(
            networks.NETWORKS, NETWORK, replace(networks.NETWORKS[NETWORK], client=client)
        )
        yield state


def test_posting_from_the_dialog_shows_a_screen_for_the_dialog(
    live_server, browser: Browser, network_server
) -> None:
    org = OrganisationFactory(name="Cerámicas del Turia")
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    ConnectedAccountFactory(membership=person, network=NETWORK, handle="emilio.test")
    post = PostFactory(organisation=org, title="Presentamos Albufera")

    left: list[str] = []

    def outside(route: Route) -> None:
        if (urlsplit(route.request.url).hostname or "") in LOOPBACK:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context = signed_in(browser, live_server.url, person.user, width=390)
    context.route("**/*", outside)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/o/{org.code}/")
    card = page.locator(f"#post-{post.code}")
    button = card.locator(f'a[data-network="{NETWORK}"]')
    dialog = page.locator("dialog.share-dialog")

    def typed(page, dialog, text: str) -> None:
        """Type the text and let the live counter answer first: the test server shares one
        database connection between its threads, so two requests at once would cross."""
        with page.expect_response(lambda r: "/count/" in r.url):
            dialog.get_by_label("Your text").fill(text)

    def open_dialog() -> None:
        if not button.is_visible():  # among the networks behind "More networks"
            card.locator("details.share-more > summary").click()
        button.click()
        expect(dialog).to_be_visible()

    # "Post now": the dialog says Coro is posting it, and where to follow it.
    open_dialog()
    words = "Mis palabras, para Bluesky"
    typed(page, dialog, words)
    dialog.get_by_role("button", name="Post now on Bluesky").click()
    expect(dialog.locator(".share-posted")).to_be_visible()
    expect(dialog.locator("#share-heading")).to_have_text("Posting it on Bluesky now")
    expect(dialog).to_contain_text("emilio.test")
    expect(dialog.get_by_role("link", name="See it in My scheduled posts")).to_be_visible()
    expect(dialog.locator(".topbar, nav, h1:has-text('My scheduled posts')")).to_have_count(0)
    expect(page.locator(".topbar")).to_have_count(1)  # the page's own, once
    assert page.evaluate("location.pathname") == f"/o/{org.code}/"  # still the feed
    assert ScheduledPost.objects.get().text == words
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # "Schedule it" without a time: the error, in the dialog, with the words kept.
    open_dialog()
    later = "Otra vez, más tarde\ncon dos líneas"
    typed(page, dialog, later)
    dialog.get_by_role("button", name="Schedule it").click()
    expect(dialog.locator("#share-screen")).to_contain_text("Pick the day and time to post it.")
    expect(dialog.get_by_label("Your text")).to_have_value(later)
    expect(dialog.locator(".topbar, nav")).to_have_count(0)

    # "Back to the share screen" stays in the dialog too.
    dialog.get_by_role("link", name="Back to the share screen").click()
    expect(dialog.locator("#share-form")).to_be_visible()
    expect(dialog.locator(".topbar, nav")).to_have_count(0)
    assert page.evaluate("location.pathname") == f"/o/{org.code}/"
    typed(page, dialog, later)
    dialog.get_by_role("button", name="Schedule it").click()
    expect(dialog.locator("#share-screen")).to_contain_text("Pick the day and time to post it.")

    # Fixed there: scheduled, and said so in the dialog.
    at = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo(org.time_zone))
    dialog.get_by_label("When").fill(f"{at:%Y-%m-%dT10:30}")
    dialog.get_by_role("button", name="Schedule it").click()
    expect(dialog.locator("#share-heading")).to_have_text("Scheduled on Bluesky")
    expect(dialog.locator(".topbar, nav")).to_have_count(0)
    scheduled = ScheduledPost.objects.exclude(text=words).get()
    assert scheduled.text == later
    assert scheduled.run_at == at.replace(hour=10, minute=30, second=0, microsecond=0)
    box = dialog.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    assert errors == []
    assert left == []
    context.close()
