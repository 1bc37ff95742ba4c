"""Link-preview fetchers and crawlers: they get the redirect but are not counted as visits."""

PREVIEW_BOT_MARKERS = (
    "facebookexternalhit",
    "facebot",
    "linkedinbot",
    "twitterbot",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "skypeuripreview",
    "microsoftpreview",
    "googlebot",
    "bingbot",
    "applebot",
    "pinterest",
    "redditbot",
    "mastodon",
    "bluesky",
    "cardyb",
    "embedly",
    "iframely",
    "vkshare",
    "duckduckbot",
    "yandexbot",
    "baiduspider",
    "slurp",
    "google-inspectiontool",
    "googleother",
    "petalbot",
    "headlesschrome",
    "skypebot",
    "bot/",
    "bot;",
    "+http",
    "crawler",
    "spider",
    "preview",
)


def is_preview_bot(user_agent: str) -> bool:
    ua = user_agent.lower()
    return not ua or any(marker in ua for marker in PREVIEW_BOT_MARKERS)
