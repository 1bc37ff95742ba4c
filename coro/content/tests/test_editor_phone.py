"""The post editor and the proposal form fit a 390 px phone with long words everywhere and
images in the image panel (done means: "feed and post editor at 390 px with images and long
words")."""

import pytest
from playwright.sync_api import Browser, Page, expect

from coro.content.models import Post, Topic
from coro.tests.test_browser import log_in
from testing.factories import PostFactory, PostImageFactory
from testing.tenancy import tenancy_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
LONG_WORD = "Azulejoshidráulicosartesanalesvalencianos" * 6
LONG_TOPIC = ("Cerámicaartesanalvalenciana" * 3)[:60]
TITLE = f"New {LONG_WORD[:180]}"
LONG_ALT = ("Mostradordelatiendaconazulejos" * 10)[:300]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def long_post(org, **kwargs) -> Post:
    post = PostFactory(
        organisation=org,
        language="en",
        title=TITLE,
        body=f"**{LONG_WORD}**\n\n> {LONG_WORD}\n\n[{LONG_WORD}](https://example.com/{LONG_WORD})",
        link=f"https://example.com/{LONG_WORD}",
        **kwargs,
    )
    post.suggestions = {"en": {"x": LONG_WORD[:200], "bluesky": LONG_WORD[:200]}}
    post.save(update_fields=["suggestions"])
    for n in range(3):
        PostImageFactory(post=post, width=1600, height=900 + n, alt_text=LONG_ALT, files=True)
    return post


def phone(browser: Browser, base: str, email: str) -> Page:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
    page = context.new_page()
    log_in(page, base, email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def fits(page: Page, post: Post) -> None:
    # Every folded part open, so everything on the page is measured.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    images = page.locator(f"#post-images-{post.code} img")
    expect(images).to_have_count(3)
    for n in range(3):
        image = images.nth(n)
        image.scroll_into_view_if_needed()
        # Lazily loaded: wait until it has loaded (fails after the timeout if it never does).
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.bounding_box()["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def test_the_post_editor_fits_a_phone(live_server, browser: Browser, media):
    tenancy = tenancy_create()
    post = long_post(tenancy.org)
    post.topics.add(Topic.objects.create(organisation=tenancy.org, name=LONG_TOPIC))
    page = phone(browser, live_server.url, tenancy.editor.user.email)
    page.goto(f"{live_server.url}/o/{tenancy.org.code}/posts/{post.code}/edit/")
    expect(page.get_by_label("Title (English)", exact=True)).to_have_value(TITLE)
    expect(page.get_by_label(LONG_TOPIC)).to_be_checked()
    fits(page, post)
    # With errors shown too (a bad link next to a long word).
    page.get_by_label("Link", exact=True).fill(f"not a link {LONG_WORD}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#id_link_error")).to_be_visible()
    fits(page, post)


def test_the_proposal_form_fits_a_phone(live_server, browser: Browser, media):
    tenancy = tenancy_create()
    post = long_post(
        tenancy.org,
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.employee,
        author=tenancy.employee,
    )
    page = phone(browser, live_server.url, tenancy.employee.user.email)
    page.goto(f"{live_server.url}/o/{tenancy.org.code}/proposals/{post.code}/edit/")
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    fits(page, post)
