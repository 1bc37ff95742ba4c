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
