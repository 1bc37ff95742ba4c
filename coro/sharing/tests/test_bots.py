import pytest

from coro.sharing.bots import is_preview_bot


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        "Mozilla/5.0 (X11; Linux x86_64) Teams/1.5",
        "curl/8.5.0",
        # In-app browsers: a person who tapped the link inside the network's app.
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 "
        "[FBAN/FBIOS;FBAV/480.0.0;FBBV/1;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS]",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/140 Mobile Safari/537.36 "
        "Instagram 350.0.0.0 Android",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 [LinkedInApp]/9.30",
        "Mozilla/5.0 (Linux; Android 14) Chrome/140 Mobile Safari/537.36 TwitterAndroid",
    ],
)
def test_people_are_not_bots(user_agent):
    assert is_preview_bot(user_agent) is False


@pytest.mark.parametrize(
    "user_agent",
    [
        "facebookexternalhit/1.1",
        "LinkedInBot/1.0",
        "Twitterbot/1.0",
        "Slackbot 1.0 (+https://api.slack.com/robots)",
        "Slack-ImgProxy (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Googlebot/2.1)",
        "Mozilla/5.0 (compatible; Google-InspectionTool/1.0)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible;PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/140 Safari/537.36",
        "Mastodon/4.3.0 (http.rb/5.2.0; +https://social.example/)",
        "Bluesky Cardyb/1.1",
        "WhatsApp/2.23.20.0",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Iframely/1.3.1 (+https://iframely.com/docs/about)",
        "",
    ],
)
def test_preview_fetchers_and_crawlers_are_bots(user_agent):
    assert is_preview_bot(user_agent) is True
