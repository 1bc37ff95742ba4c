import pytest

from coro.sharing.bots import is_preview_bot


@pytest.mark.parametrize(
    ("user_agent", "bot"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140 Safari/537.36",
            False,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1",
            False,
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) Teams/1.5", False),
        ("curl/8.5.0", False),
        ("facebookexternalhit/1.1", True),
        ("LinkedInBot/1.0", True),
        ("Twitterbot/1.0", True),
        ("Slackbot 1.0 (+https://api.slack.com/robots)", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1)", True),
    ],
)
def test_preview_bot_detection(user_agent, bot):
    assert is_preview_bot(user_agent) is bot
