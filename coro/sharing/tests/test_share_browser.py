"""The share screen in a real browser: the hints follow the text as it is typed, and the
page fits a phone."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, expect

from coro.accounts.models import User
from coro.content.models import LinkPreview
from coro.program.selectors import terms_current
from coro.program.services import program_join
from testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    ShareFactory,
    TermsFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SUGGESTION = "Presentamos Albufera: azulejos hidráulicos esmaltados artesanalmente en Valencia."
SIMILAR_HINT = "Several colleagues shared almost the same words. Make it your own?"


def signed_in(browser: Browser, base: str, user: User) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context


def test_hints_follow_the_text_and_the_screen_fits_a_phone(live_server, browser: Browser) -> None:
    org = OrganisationFactory(name="Cerámicas del Turia")
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    long_word = "Electroencefalografistas" * 4
    post = PostFactory(
        organisation=org,
        title=f"Presentamos Albufera {long_word}",
        link="https://www.ceramicas-del-turia.example/colecciones/albufera?utm_source=coro",
        suggestions={"en": {"x": f"{SUGGESTION} {long_word} [[why this matters to you]]"}},
    )
    LinkPreview.objects.create(
        post=post,
        url=post.link,
        status=LinkPreview.Status.READY,
        title=f"Albufera {long_word}",
        description=long_word * 2,
    )
    for _ in range(2):
        ShareFactory(post=post, membership=MembershipFactory(organisation=org), text=SUGGESTION)

    context = signed_in(browser, live_server.url, person.user)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/posts/{post.code}/share/x/")
    text = page.get_by_label("Your text")
    expect(page.locator("#share-prompts")).to_contain_text("why this matters to you")
    expect(page.locator("#id_text-counter")).to_contain_text("characters left")
    expect(page.locator(".link-card")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    # Nobody shared these words yet: no hint. The colleagues' words: the hint, live.
    expect(page.get_by_text(SIMILAR_HINT)).to_have_count(0)
    text.fill(SUGGESTION)
    expect(page.get_by_text(SIMILAR_HINT)).to_be_visible()
    expect(page.locator("#share-prompts")).to_have_count(0)
    # Their own words: the hint goes.
    text.fill("I spent the spring on the blue glaze of these tiles. Proud of it!")
    expect(page.get_by_text(SIMILAR_HINT)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()


def test_linkedin_copy_my_text_and_a_fixed_error_goes(live_server, browser: Browser) -> None:
    """LinkedIn's dialog takes only the link: the screen says so once and copies the text.
    A refused text's error goes as soon as the person has fixed it. The card is centred."""
    org = OrganisationFactory(name="Cerámicas del Turia")
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    post = PostFactory(
        organisation=org,
        suggestions={"en": {"linkedin": f"{SUGGESTION} [[why this matters to you]]"}},
    )
    context = signed_in(browser, live_server.url, person.user)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/posts/{post.code}/share/linkedin/")
    expect(page.get_by_text("LinkedIn opens with your link only")).to_have_count(1)
    expect(page.get_by_text("opens with your text")).to_have_count(0)

    # The prompt is left in: refused, with its error.
    page.get_by_role("button", name="Share on LinkedIn").click()
    error = page.locator("#share-errors")
    expect(error).to_contain_text("Fill in “why this matters to you”")
    text = page.get_by_label("Your text")
    expect(text).to_have_attribute("aria-invalid", "true")
    # Filled in: the error goes without sharing again.
    mine = text.input_value().replace("[[why this matters to you]]", "I glazed the blue ones.")
    text.fill(mine)
    expect(error).to_have_count(0)
    expect(text).not_to_have_attribute("aria-invalid", "true")

    copy = page.get_by_role("button", name="Copy my text")
    copy.click()
    expect(page.locator("#share-copy-status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == mine
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()

    # At desktop width the card is in the middle, like the other cards.
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    client = Client()
    client.force_login(person.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    desktop.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    wide = desktop.new_page()
    wide.goto(f"{live_server.url}/o/{org.code}/posts/{post.code}/share/x/")
    box = wide.locator(".share-screen").bounding_box()
    assert box is not None and box["width"] <= 720
    assert abs(box["x"] + box["width"] / 2 - 1280 / 2) < 20
    desktop.close()
