import pytest

from coro.sharing.models import Click
from testing.factories import ClickFactory, ShareFactory


@pytest.fixture
def share(db):
    return ShareFactory(post__link="https://example.com/landing?x=1")


def test_redirect_counts_one_click_and_sends_visitor_on(client, share):
    response = client.get(
        f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Firefox/140"
    )
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/landing?x=1"
    assert Click.objects.filter(share=share).count() == 1


def test_each_visit_counts_once(client, share):
    for _ in range(3):
        client.get(f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0 Safari/605")
    assert Click.objects.filter(share=share).count() == 3


def test_unknown_code_is_404_and_counts_nothing(client, share):
    response = client.get("/r/doesnotexist", HTTP_USER_AGENT="Mozilla/5.0")
    assert response.status_code == 404
    assert Click.objects.count() == 0


def test_head_redirects_without_counting(client, share):
    response = client.head(f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0")
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/landing?x=1"
    assert Click.objects.count() == 0


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
def test_preview_bots_get_redirect_but_are_not_counted(client, share, user_agent):
    response = client.get(f"/r/{share.code}", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 302
    assert Click.objects.count() == 0


def test_post_method_is_refused(client, share):
    assert client.post(f"/r/{share.code}").status_code == 405
    assert Click.objects.count() == 0


def test_redirect_does_not_leak_referrer_and_is_not_cached(client, share):
    response = client.get(f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0")
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_clicks_of_other_shares_are_separate(client, share):
    other = ClickFactory().share
    client.get(f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0")
    assert other.clicks.count() == 1
    assert share.clicks.count() == 1
