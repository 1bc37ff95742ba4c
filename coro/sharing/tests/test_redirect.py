"""``/r/<code>`` through Django (the development server, the test client): the same answer
as the WSGI front gives in production (``test_hotpath.py``)."""

import pytest

from coro.sharing.models import Click, Preview
from testing.factories import ClickFactory, ShareFactory

from .visiting import visit

LANDING = (
    "https://example.com/landing?x=1&utm_source=x&utm_medium=employee_advocacy"
    "&utm_campaign=nueva-coleccion"
)


@pytest.fixture
def share(db):
    return ShareFactory(
        network="x", post__link="https://example.com/landing?x=1", post__title="Nueva colección"
    )


def test_redirect_counts_one_click_and_sends_visitor_on(client, share):
    response = visit(client, share, user_agent="Mozilla/5.0 (X11; Linux) Firefox/140")
    assert response.status_code == 302
    assert response["Location"] == LANDING
    assert Click.objects.filter(share=share).count() == 1


def test_the_campaign_is_the_network_and_the_posts_slug(client, db):
    share = ShareFactory(
        network="bluesky",
        post__link="https://example.com/?utm_source=web&utm_campaign=old&ref=7#form",
        post__title="¡Abrimos en València!",
    )
    assert visit(client, share)["Location"] == (
        "https://example.com/?ref=7&utm_source=bluesky&utm_medium=employee_advocacy"
        "&utm_campaign=abrimos-en-valencia#form"
    )


def test_a_visitor_is_counted_once_an_hour_and_each_visitor_once(client, share):
    for _ in range(3):
        assert visit(client, share, user_agent="Mozilla/5.0 Safari/605").status_code == 302
    assert Click.objects.filter(share=share).count() == 1
    visit(client, share, user_agent="Mozilla/5.0 Safari/605", address="198.51.100.200")
    assert Click.objects.filter(share=share).count() == 2


def test_the_query_string_changes_nothing(client, share):
    response = visit(client, share, query="url=https://evil.example&utm_source=evil")
    assert response["Location"] == LANDING


def test_unknown_code_is_404_and_counts_nothing(client, share):
    response = client.get("/r/doesnotexist", HTTP_USER_AGENT="Mozilla/5.0")
    assert response.status_code == 404
    assert Click.objects.count() == 0
    assert Preview.objects.count() == 0


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
        "http://127.0.0.1:8000/o/",  # Coro's own host
        "https://exa mple.com/",
        "",
    ],
)
def test_a_stored_link_that_is_not_allowed_is_404_not_a_redirect(client, db, link):
    """Checked when the link is made, and again at every visit (a link stored before the
    check, or a host that became Coro's)."""
    share = ShareFactory(post__link=link)
    response = visit(client, share)
    assert response.status_code == 404
    assert not response.has_header("Location")
    assert Click.objects.count() == 0


def test_head_redirects_and_counts_a_preview(client, share):
    response = visit(client, share, method="head", user_agent="Mozilla/5.0")
    assert response.status_code == 302
    assert response["Location"] == LANDING
    assert Click.objects.count() == 0
    assert Preview.objects.filter(share=share).count() == 1


@pytest.mark.parametrize(
    "user_agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "",
    ],
)
def test_preview_bots_get_redirect_and_count_as_previews(client, share, user_agent):
    response = visit(client, share, user_agent=user_agent)
    assert response.status_code == 302
    assert response["Location"] == LANDING
    assert Click.objects.count() == 0
    assert Preview.objects.filter(share=share).count() == 1


def test_prefetch_counts_as_a_preview(client, share):
    visit(client, share, HTTP_SEC_PURPOSE="prefetch")
    visit(client, share, HTTP_PURPOSE="prefetch")
    assert (Click.objects.count(), Preview.objects.count()) == (0, 2)


def test_post_method_is_refused(client, share):
    assert client.post(f"/r/{share.code}").status_code == 405
    assert Click.objects.count() == 0
    assert Preview.objects.count() == 0


def test_redirect_does_not_leak_referrer_and_is_not_cached(client, share):
    response = visit(client, share, user_agent="Mozilla/5.0")
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_clicks_of_other_shares_are_separate(client, share):
    other = ClickFactory().share
    visit(client, share, user_agent="Mozilla/5.0")
    assert other.clicks.count() == 1
    assert share.clicks.count() == 1
