"""The post images panel in a real browser, through htmx: its errors show (htmx swaps the
400 answer: base.html's htmx-config), the focus lands on what happened, never on <body>,
and thumbnails are small squares."""

import io

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from coro.content.models import Post
from coro.tests.test_browser import log_in
from testing.factories import PostFactory, PostImageFactory
from testing.tenancy import tenancy_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_AN_IMAGE = "This file is not an image Coro accepts (JPEG, PNG, WebP or GIF)."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, format="PNG")
    return out.getvalue()


def focused_text(page: Page) -> str:
    return str(page.evaluate("document.activeElement.textContent.trim()"))


def test_errors_show_and_focus_follows_each_action(live_server, browser: Browser, media):
    tenancy = tenancy_create()
    post = PostFactory(
        organisation=tenancy.org, status=Post.Status.DRAFT, published_at=None, title="Horno"
    )
    tall = PostImageFactory(post=post, width=40, height=400, alt_text="Una chimenea", files=True)
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server.url, tenancy.editor.user.email)
    page.goto(f"{live_server.url}/o/{tenancy.org.code}/posts/{post.code}/edit/")
    panel = page.locator(f"#post-images-{post.code}")

    # A thumbnail is a 96 px square, however tall the image.
    thumb = panel.locator(f"#post-image-{tall.code} img")
    box = thumb.bounding_box()
    assert box is not None and (round(box["width"]), round(box["height"])) == (96, 96)
    assert thumb.evaluate("img => getComputedStyle(img).objectFit") == "cover"

    # A file that is not an image: the reason shows next to the field, focus on the message.
    panel.get_by_label("Image", exact=True).set_input_files(
        {"name": "notimage.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4 no"}
    )
    panel.get_by_label("Description of the image").fill("Un horno")
    panel.get_by_role("button", name="Add the image").click()
    expect(panel.get_by_text(NOT_AN_IMAGE)).to_be_visible()
    expect(panel.get_by_text("The image is not added: see why below.")).to_be_focused()
    expect(panel.get_by_label("Description of the image")).to_have_value("Un horno")
    assert post.images.count() == 1

    # An emptied description: refused, with its reason, the saved one kept.
    panel.get_by_label("Description of image 1").fill("")
    panel.get_by_role("button", name="Save the description").click()
    expect(panel.get_by_text("Describe the image for people who cannot see it.")).to_be_visible()
    expect(panel.get_by_label("Description of image 1")).to_have_attribute("aria-invalid", "true")
    expect(panel.get_by_text("The description is not saved: see why below.")).to_be_focused()
    tall.refresh_from_db()
    assert tall.alt_text == "Una chimenea"

    # A real image: added, and the focus on the message that says so.
    panel.get_by_label("Image", exact=True).set_input_files(
        {"name": "horno.png", "mimeType": "image/png", "buffer": png((300, 200))}
    )
    panel.get_by_label("Description of the image").fill("Un horno")
    panel.get_by_role("button", name="Add the image").click()
    expect(panel.get_by_text("The image is added.")).to_be_focused()
    assert post.images.count() == 2

    # Moving, with the keyboard: the focus stays in the panel, on what happened.
    panel.get_by_role("button", name="Move later (image 1)").focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_text("The image is moved.")).to_be_focused()
    assert focused_text(page) == "The image is moved."
    assert list(post.images.values_list("alt_text", flat=True)) == ["Un horno", "Una chimenea"]
    context.close()
