"""The feed in a real browser: it fits a phone with long words and images, and a person
reacts and comments with the keyboard alone."""

import pytest
from playwright.sync_api import Browser, expect

from coro.content.models import Comment, Reaction
from coro.tests.test_browser import log_in
from testing.factories import PostFactory, PostImageFactory
from testing.tenancy import tenancy_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
LONG_WORD = "Azulejoshidráulicosartesanalesvalencianos" * 6


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_feed_fits_a_phone_with_a_long_word_and_an_image(live_server, browser: Browser, media):
    tenancy = tenancy_create()
    post = PostFactory(
        organisation=tenancy.org,
        title=f"Nueva colección {LONG_WORD}",
        body=f"**{LONG_WORD}**\n\n> {LONG_WORD}\n\n`{LONG_WORD}`\n\n[{LONG_WORD}](https://example.com/{LONG_WORD})",
        link=f"https://example.com/{LONG_WORD}",
    )
    PostImageFactory(post=post, width=1600, height=900, files=True)
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server.url, tenancy.employee.user.email)
    for path in (f"/o/{tenancy.org.code}/", f"/o/{tenancy.org.code}/posts/{post.code}/"):
        page.goto(live_server.url + path)
        image = page.locator(".post-gallery img")
        expect(image).to_be_visible()
        page.wait_for_function("document.querySelector('.post-gallery img').complete")
        assert page.evaluate("document.querySelector('.post-gallery img').naturalWidth") > 0
        assert image.bounding_box()["width"] <= WIDTH
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path
    context.close()


def test_react_and_comment_with_the_keyboard(live_server, browser: Browser):
    tenancy = tenancy_create()
    post = PostFactory(organisation=tenancy.org, title="Abrimos en Valencia")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server.url, tenancy.employee.user.email)
    page.goto(f"{live_server.url}/o/{tenancy.org.code}/posts/{post.code}/")

    # React: reach the button, press Enter; the bar is swapped and focus stays on the button.
    like = page.get_by_role("button", name="Like", exact=True)
    like.focus()
    page.keyboard.press("Enter")
    reacted = page.get_by_role("button", name="Like (1), you reacted")
    expect(reacted).to_have_attribute("aria-pressed", "true")
    expect(reacted).to_be_focused()
    assert Reaction.objects.filter(post=post, membership=tenancy.employee, kind="like").exists()
    page.keyboard.press("Space")  # and take it back
    expect(page.get_by_role("button", name="Like", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    assert not Reaction.objects.exists()

    # Comment: type, Tab to the button, press Enter.
    page.get_by_label("Your comment").focus()
    page.keyboard.type("¡Qué buena noticia!")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post comment")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".comment-body")).to_have_text("¡Qué buena noticia!")
    assert Comment.objects.get().body == "¡Qué buena noticia!"

    # Reply: open "Reply" with the keyboard, write, send.
    page.get_by_text("Reply", exact=False).first.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Your reply").focus()
    page.keyboard.type("Y tanto")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".comment-replies .comment-body")).to_have_text("Y tanto")
    reply = Comment.objects.get(body="Y tanto")
    assert reply.parent == Comment.objects.get(body="¡Qué buena noticia!")

    # An empty comment says why, next to the field.
    page.get_by_role("button", name="Post comment").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Write something first.")).to_be_visible()
    assert Comment.objects.count() == 2
    context.close()
