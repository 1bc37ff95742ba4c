"""The live counter in a real browser agrees with the server's own count.

No page uses the widget yet while the editor is being rewritten, and test-only routes would
break the route walker, so the test opens a real page of the organisation (base.html: htmx
and the CSRF header), puts a form with the widget into it, lets htmx pick it up, then types.
"""

import pytest
from django.utils import translation
from playwright.sync_api import Browser, expect

from coro.content.counter import CountedTextarea, counted_text, counter_message
from coro.networks import NETWORKS
from coro.orgs.models import Role
from coro.tests.test_browser import log_in
from testing.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = "https://coro.azulejos.es/r/abcdefghij"
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
TYPED = [
    "Hola",
    "a" * 279 + "…",
    "Visita azulejos.es y https://azulejos.es/catalogo/primavera",
    FAMILY * 3 + " \U0001f1ea\U0001f1f8 \U0001f44d\U0001f3fd e\u0301 日本語",
    "Hola\n\nadiós " + "日" * 140,
]


def expected(key: str, text: str, organisation) -> str:
    full = counted_text(text, organisation=organisation, language="en", disclosure=True)
    with translation.override("en"):
        return counter_message(NETWORKS[key].remaining(full, LINK))


@pytest.mark.parametrize("key", ["x", "bluesky", "threads"])
def test_typing_shows_the_servers_count(live_server, browser: Browser, key: str) -> None:
    org = OrganisationFactory(name="Cerámicas Prueba")
    member = MembershipFactory(organisation=org, role=Role.EDITOR, user__email="eva@example.com")
    widget = CountedTextarea(
        key, org_code=org.code, link_field="link", language="en", disclosure=True
    )
    form = (
        f'<form id="counted"><label for="id_s">Suggested text</label>'
        f"{widget.render('s', '', attrs={'id': 'id_s'})}"
        f'<input type="hidden" name="link" value="{LINK}"></form>'
    )
    page = browser.new_context(locale="en-GB").new_page()
    log_in(page, live_server.url, member.user.email)
    page.goto(f"{live_server.url}/o/{org.code}/")
    page.evaluate(
        """html => {
            document.querySelector("main").insertAdjacentHTML("afterbegin", html);
            htmx.process(document.getElementById("counted"));
        }""",
        form,
    )
    textarea = page.get_by_label("Suggested text")
    counter = page.locator("#id_s-counter")
    expect(counter).to_have_attribute("aria-live", "polite")
    # On load: the empty text with the disclosure and the link.
    expect(counter).to_have_text(expected(key, "", org))
    for text in TYPED:
        textarea.fill(text)
        expect(counter).to_have_text(expected(key, text, org))
    # Typed key by key, too (the last keystroke's answer wins).
    textarea.fill("")
    textarea.press_sequentially("Nos vemos en Cevisama \U0001f44b azulejos.es")
    expect(counter).to_have_text(expected(key, "Nos vemos en Cevisama \U0001f44b azulejos.es", org))
    # Over the limit it shows as an error.
    textarea.fill("a" * 600)
    expect(counter.locator(".counter-over")).to_have_text(expected(key, "a" * 600, org))
