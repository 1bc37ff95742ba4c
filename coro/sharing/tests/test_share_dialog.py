"""The share screen as the feed's dialog, its preview, "Copy text", the phone's share sheet,
and Mastodon's server asked once (issue 10, point 1 and 3)."""

from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from coro.connections.models import NetworkProfile
from coro.content.models import LinkPreview
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import Share
from testing.factories import PostFactory

HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
DIALOG = {**HX, "HTTP_X_CORO_DIALOG": "1"}
WORDS = "Mis palabras & más #Valencia 🎉\nSegunda línea"


@pytest.fixture
def enrolled(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    return tenancy.employee


@pytest.fixture
def post(tenancy):
    post = PostFactory(
        organisation=tenancy.org,
        title="Colección Albufera",
        body="Nueva colección",
        link="https://x.example/p",
    )
    LinkPreview.objects.create(
        post=post,
        url=post.link,
        status=LinkPreview.Status.READY,
        title="Albufera: the tiles",
        description="Hand-glazed in Valencia",
    )
    return post


@pytest.fixture
def client(tenancy, enrolled):
    return tenancy.client_for(enrolled.user)


def url(post, network="x", part=""):
    return f"/o/{post.organisation.code}/posts/{post.code}/share/{network}/{part}"


def test_the_dialog_gets_the_screen_alone_and_the_page_has_it_all(client, post):
    page = client.get(url(post), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    fragment = client.get(url(post), **DIALOG).content.decode()
    for html in (page, fragment):
        assert 'id="share-screen"' in html and 'id="share-form"' in html
        assert 'name="text"' in html and "Share on X" in html
    assert "<html" in page and "<html" not in fragment
    assert "Back to the feed" in page and "Back to the feed" not in fragment
    assert "/static/coro/share.js" in page
    # The feed's buttons open it as a dialog with share.js, and are links to the page without.
    feed = client.get(f"/o/{post.organisation.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-share-dialog aria-haspopup="dialog" href="{url(post, "linkedin")}"' in feed
    assert feed.count("/static/coro/share.js") == 1  # once for the page, not per post


def test_the_preview_shows_the_words_the_link_as_the_network_shows_it_and_the_card(client, post):
    screen = client.get(url(post), HTTP_ACCEPT_LANGUAGE="en")
    html = screen.content.decode()
    preview = html.split('class="share-preview"')[1].split("</section>")[0]
    link = screen.context["link"]
    # X: the words, a space, the link; then the card.
    assert "<span data-preview-words>" in preview
    assert f' <span class="share-preview-link">{link}</span>' in preview
    assert "Albufera: the tiles" in preview and "Hand-glazed in Valencia" in preview
    # LinkedIn: the link is not in the text, only the card.
    linkedin = client.get(url(post, "linkedin"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    preview = linkedin.split('class="share-preview"')[1].split("</section>")[0]
    assert "share-preview-link" not in preview and "Albufera: the tiles" in preview
    # E-mail: the title as the subject.
    mail = client.get(url(post, "email"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Subject:</span> Colección Albufera" in mail


def test_a_refused_text_comes_back_in_the_preview_as_written(client, post):
    words = "日" * 200 + " [[why this matters to you]]"
    answer = client.post(url(post), {"text": words}, **DIALOG)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert f"<span data-preview-words>{words}</span>" in html
    assert 'id="share-errors"' in html
    assert Share.objects.count() == 0


def test_in_the_dialog_the_share_answers_with_the_page_to_open(client, post):
    answer = client.post(url(post), {"text": WORDS}, **DIALOG)
    assert answer.status_code == 200
    html = answer.content.decode()
    share = Share.objects.get()
    intent = html.split('href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(intent).query)
    assert query["text"] == [WORDS]
    assert query["url"] == [f"{settings.BASE_URL}/r/{share.code}"]
    assert "data-share-open" in html and "data-new-tab" in html


def test_linkedin_says_the_text_is_copied_first(client, post):
    html = client.get(url(post, "linkedin"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    button = html.split('id="share-form"')[1].split('type="submit"')[1].split(">")[0]
    assert 'data-copy-first="id_text"' in button
    assert "Your text is copied: paste it in LinkedIn." in button


def test_copy_text_gives_the_words_and_the_link(client, post):
    screen = client.get(url(post, "copy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Copy text and link" in screen
    for headers in (DIALOG, {"HTTP_ACCEPT_LANGUAGE": "en"}):  # with JavaScript, and without
        answer = client.post(url(post, "copy"), {"text": WORDS}, **headers)
        assert answer.status_code == 200
        share = Share.objects.get(network="copy")
        copied = f"{WORDS}\n\n{settings.BASE_URL}/r/{share.code}"
        assert "data-copy-now" in answer.content.decode()
        assert f">{copied}</textarea>" in unescape(answer.content.decode())


def test_the_phone_share_sheet_gets_the_recorded_link(client, post):
    screen = client.get(url(post), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    device = f"/o/{post.organisation.code}/posts/{post.code}/share-device/"
    assert f'data-web-share="{device}"' in screen
    answer = client.post(device, {"text": WORDS})
    assert answer.status_code == 200
    share = Share.objects.get()
    assert (share.network, share.text) == ("copy", WORDS)
    assert answer.json() == {
        "title": "Colección Albufera",
        "text": WORDS,
        "url": f"{settings.BASE_URL}/r/{share.code}",
    }
    refused = client.post(device, {"text": "Mine [[why this matters to you]]"})
    assert refused.status_code == 422 and refused.json()["errors"]
    assert Share.objects.get().text == WORDS


def test_mastodon_asks_the_server_once_stores_it_and_opens_it(tenancy, client, post, enrolled):
    screen = client.get(url(post, "mastodon"), HTTP_ACCEPT_LANGUAGE="en")
    html = screen.content.decode()
    assert "Your Mastodon server, e.g. mastodon.social" in html
    assert 'id="share-form"' not in html
    # Sharing before saying the server shares nothing: the question again.
    early = client.post(url(post, "mastodon"), {"text": WORDS}, HTTP_ACCEPT_LANGUAGE="en")
    assert early.status_code == 200 and 'id="share-server-form"' in early.content.decode()
    assert Share.objects.count() == 0

    # A wrong one: said, nothing stored.
    wrong = client.post(url(post, "mastodon", "server/"), {"server": "10.0.0.7"}, **HX)
    assert wrong.status_code == 200
    assert "private or local network" in wrong.content.decode()
    assert not NetworkProfile.objects.exists()

    # In the dialog: the screen comes back ready to share, with the words kept.
    answer = client.post(
        url(post, "mastodon", "server/"), {"server": "Mastodon.Social", "text": WORDS}, **DIALOG
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'id="share-form"' in html and "share-server-form" not in html
    assert answer.context["form"]["text"].value() == WORDS
    profile = NetworkProfile.objects.get()
    assert (profile.membership, profile.network, profile.instance) == (
        enrolled,
        "mastodon",
        "mastodon.social",
    )
    # Asked once: the next screen goes straight to the words.
    again = client.get(url(post, "mastodon"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "share-server-form" not in again and "Your server: mastodon.social" in again

    shared = client.post(url(post, "mastodon"), {"text": WORDS})
    assert shared.status_code == 302
    location = urlsplit(shared["Location"])
    share = Share.objects.get()
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "mastodon.social",
        "/share",
    )
    assert parse_qs(location.query)["text"] == [f"{WORDS} {settings.BASE_URL}/r/{share.code}"]


def test_the_server_form_without_javascript_goes_back_to_the_screen(client, post):
    answer = client.post(url(post, "mastodon", "server/"), {"server": "https://fosstodon.org/"})
    assert answer.status_code == 302 and answer["Location"] == url(post, "mastodon")
    assert NetworkProfile.objects.get().instance == "fosstodon.org"


def test_only_networks_on_a_server_take_one(client, post):
    assert client.post(url(post, "x", "server/"), {"server": "mastodon.social"}).status_code == 404
    assert not NetworkProfile.objects.exists()


def test_not_enrolled_gets_the_terms_even_in_the_dialog(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    answer = client.get(url(post), **DIALOG)
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == f"/o/{tenancy.org.code}/program/"
    assert client.post(url(post, "mastodon", "server/"), {"server": "a.social"}).status_code == 403
    device = f"/o/{post.organisation.code}/posts/{post.code}/share-device/"
    assert client.post(device, {"text": "Hola"}).status_code == 403
    assert Share.objects.count() == 0
