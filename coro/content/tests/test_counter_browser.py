"""The live counter on the pages people use (the post editor and the proposal form) agrees
with the server's own count: the first count comes with the page, the next ones as they type.
"""

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from coro.content.counter import counted_text, counter_message
from coro.networks import NETWORKS
from coro.networks.links import tracked_link_example
from coro.orgs.models import Role
from coro.tests.test_browser import log_in
from testing.factories import MembershipFactory, OrganisationFactory, TermsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
TYPED = [
    "Hola",
    "a" * 279 + "…",
    "Visita azulejos.es y https://azulejos.es/catalogo/primavera",
    FAMILY * 3 + " \U0001f1ea\U0001f1f8 \U0001f44d\U0001f3fd e\u0301 日本語",
    "Hola\n\nadiós " + "日" * 140,
]


def expected(key: str, text: str, organisation, *, named: bool = False) -> str:
    full = counted_text(text, organisation=organisation, language="en", disclosure=True)
    network = NETWORKS[key]
    with translation.override("en"):
        return counter_message(
            network.remaining(full, tracked_link_example()), network if named else None
        )


def signed_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(locale="en-GB").new_page()
    log_in(page, base, email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def counts_as_typed(page: Page, textarea, counter, key: str, org, *, named: bool = False) -> None:
    for text in TYPED:
        textarea.fill(text)
        expect(counter).to_have_text(expected(key, text, org, named=named))
    # Typed key by key, too (the last keystroke's answer wins).
    textarea.fill("")
    typed = "Nos vemos en Cevisama \U0001f44b azulejos.es"
    textarea.press_sequentially(typed)
    expect(counter).to_have_text(expected(key, typed, org, named=named))
    # Over the limit it shows as an error.
    textarea.fill("a" * 600)
    expect(counter.locator(".counter-over")).to_have_text(
        expected(key, "a" * 600, org, named=named)
    )


@pytest.mark.parametrize("key", ["x", "bluesky", "threads"])
def test_the_editors_counter_shows_the_servers_count(
    live_server, browser: Browser, key: str
) -> None:
    org = OrganisationFactory(name="Cerámicas Prueba", language="en")
    TermsFactory(organisation=org)
    member = MembershipFactory(organisation=org, role=Role.EDITOR, user__email="eva@example.com")
    page = signed_in(browser, live_server.url, member.user.email)
    counting = []
    page.on(
        "request",
        lambda request: counting.append(request) if "/posts/count/" in request.url else None,
    )
    page.goto(f"{live_server.url}/o/{org.code}/posts/new/")
    page.locator("#language-en").get_by_text("Suggested texts per network (optional)").click()
    label = NETWORKS[key].label
    textarea = page.get_by_label(f"Suggested text for {label} (English)", exact=True)
    counter = page.locator(f"#id_suggestion_en_{key}-counter")
    expect(counter).to_have_attribute("aria-live", "polite")
    # The first count comes with the page: the empty text, the disclosure and the link.
    expect(counter).to_have_text(expected(key, "", org))
    page.wait_for_load_state("networkidle")
    assert counting == []  # fifteen counters, no request until someone types
    counts_as_typed(page, textarea, counter, key, org)


def test_the_proposal_counter_says_which_network_it_counts_for(
    live_server, browser: Browser
) -> None:
    org = OrganisationFactory(name="Cerámicas Prueba", language="en")
    TermsFactory(organisation=org)
    member = MembershipFactory(organisation=org, user__email="pau@example.com")
    page = signed_in(browser, live_server.url, member.user.email)
    page.goto(f"{live_server.url}/o/{org.code}/proposals/new/")
    textarea = page.get_by_label("Suggested text for sharing (optional)")
    counter = page.locator("#id_suggestion-counter")
    expect(counter).to_have_text(expected("x", "", org, named=True))
    assert counter.inner_text().startswith("X: ")
    counts_as_typed(page, textarea, counter, "x", org, named=True)
