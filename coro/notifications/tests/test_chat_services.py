"""The chat services: which webhook addresses each takes, what it is sent, the masked address."""

import json

import pytest
from django.core.exceptions import ValidationError

from coro.notifications import chat
from coro.notifications.chat.base import masked
from coro.notifications.chat.errors import chat_error_dump, chat_error_message
from coro.notifications.chat_services import chat_webhook_add, chat_webhook_test
from coro.notifications.models import ChatWebhook
from coro.notifications.tests.chat_server import (  # noqa: F401 (fixtures)
    chat_server_fixture,
    english_fixture,
)

SLACK = chat.SERVICES["slack"]
TEAMS = chat.SERVICES["teams"]


pytestmark = pytest.mark.usefixtures("english")


# --- Addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx",
        "https://HOOKS.slack.com/services/T0001/B0001/abc",
        "https://hooks.slack.com:443/services/T0001/B0001/abc",
    ],
)
def test_slack_takes_its_incoming_webhooks(url):
    SLACK.validate_url(url)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.slack.com/services/T0001/B0001/abc", "scheme"),
        ("ftp://hooks.slack.com/services/T0001/B0001/abc", "scheme"),
        ("https://hooks.slack.com.evil.example/services/T0001/B0001/abc", "service"),
        ("https://evil.example/hooks.slack.com/services/T0001/B0001/abc", "service"),
        ("https://hooks.slack.com/triggers/T0001/123/abc", "service"),
        ("https://hooks.slack.com/services/T0001", "service"),
        ("https://hooks.slack.com:8443/services/T0001/B0001/abc", "port"),
        ("https://user:pw@hooks.slack.com/services/T0001/B0001/abc", "url"),
        ("https://outlook.webhook.office.com/webhookb2/abc", "service"),
        ("https://10.0.0.5/services/T0001/B0001/abc", "service"),
        ("http://127.0.0.1:9/services/T0001/B0001/abc", "scheme"),  # not a listed test server
        ("not an address", "scheme"),
    ],
)
def test_slack_refuses_anything_else(url, code):
    with pytest.raises(ValidationError) as caught:
        SLACK.validate_url(url)
    assert caught.value.code == code, caught.value.messages


@pytest.mark.parametrize(
    "url",
    [
        "https://contoso.webhook.office.com/webhookb2/1234@5678/IncomingWebhook/abcd/efgh",
        "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/"
        "invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=XYZ",
        "https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations"
        "/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=XYZ",
    ],
)
def test_teams_takes_incoming_and_workflows_webhooks(url):
    TEAMS.validate_url(url)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://contoso.webhook.office.com/webhookb2/abc", "scheme"),
        ("https://webhook.office.com.evil.example/webhookb2/abc", "service"),
        ("https://contoso.webhook.office.com/other/abc", "service"),
        ("https://logic.azure.com.evil.example/workflows/abc", "service"),
        ("https://prod-12.westeurope.logic.azure.com/other/abc", "service"),
        ("https://hooks.slack.com/services/T0001/B0001/abc", "service"),
        ("https://192.168.1.4/webhookb2/abc", "service"),
    ],
)
def test_teams_refuses_anything_else(url, code):
    with pytest.raises(ValidationError) as caught:
        TEAMS.validate_url(url)
    assert caught.value.code == code, caught.value.messages


def test_a_listed_local_server_stands_in_for_both_in_tests(chat_server):
    SLACK.validate_url(chat_server.url("/slack"))
    TEAMS.validate_url(chat_server.url("/teams"))


def test_local_servers_are_never_taken_outside_tests(settings):
    settings.FETCH_TEST_ALLOW = None
    with pytest.raises(ValidationError):
        SLACK.validate_url("http://127.0.0.1:8080/services/T/B/x")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0001/B0001/abcdefghWXYZ", "hooks.slack.com/…/WXYZ"),
        (
            "https://x.logic.azure.com:443/workflows/a/invoke?sig=secretSIGN",
            "x.logic.azure.com:443/…/SIGN",
        ),
    ],
)
def test_addresses_are_shown_masked(url, shown):
    assert masked(url) == shown
    assert "secret" not in masked(url) and "abcdefgh" not in masked(url)


# --- What is sent -------------------------------------------------------------------------


def test_slack_payload_is_text_with_an_mrkdwn_link():
    payload = SLACK.payload(
        text="New post: Tiles & <glazes>",
        link="https://coro.example/o/abc/share/xyz/?a=1|2",
        link_label="Open in Coro to share",
    )
    assert payload == {
        "text": "New post: Tiles &amp; &lt;glazes&gt;\n"
        "<https://coro.example/o/abc/share/xyz/?a=1%7C2|Open in Coro to share>"
    }


def test_teams_payload_is_an_adaptive_card_with_an_open_button():
    payload = TEAMS.payload(
        text="New post: Tiles", link="https://coro.example/o/abc/", link_label="Open"
    )
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"] == [{"type": "TextBlock", "text": "New post: Tiles", "wrap": True}]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open", "url": "https://coro.example/o/abc/"}
    ]
    json.dumps(payload)  # plain JSON


# --- Adding a webhook ---------------------------------------------------------------------


def test_the_address_is_stored_encrypted(tenancy):
    url = "https://hooks.slack.com/services/T0001/B0001/topsecretvalue"
    webhook = chat_webhook_add(
        organisation=tenancy.org, actor=tenancy.admin, service="slack", url=url, team=None
    )
    stored = ChatWebhook.objects.get(pk=webhook.pk).url_encrypted
    assert "topsecretvalue" not in stored and "hooks.slack.com" not in stored


def test_the_same_address_twice_is_refused(tenancy):
    url = "https://hooks.slack.com/services/T0001/B0001/abc"
    add = {"organisation": tenancy.org, "actor": tenancy.admin, "service": "slack", "team": None}
    chat_webhook_add(url=url, **add)
    with pytest.raises(ValidationError) as caught:
        chat_webhook_add(url=f"  {url} ", **add)
    assert caught.value.message_dict == {"url": ["This webhook is already connected."]}


def test_an_unknown_service_is_refused(tenancy):
    with pytest.raises(ValidationError) as caught:
        chat_webhook_add(
            organisation=tenancy.org,
            actor=tenancy.admin,
            service="irc",
            url="https://hooks.slack.com/services/T0001/B0001/abc",
            team=None,
        )
    assert "service" in caught.value.message_dict


# --- The test message, through the local server --------------------------------------------


@pytest.mark.parametrize("service", ["slack", "teams"])
def test_the_test_message_reaches_the_service_in_its_shape(tenancy, chat_server, service):
    path = f"/{service}/hook"
    webhook = chat_webhook_add(
        organisation=tenancy.org,
        actor=tenancy.admin,
        service=service,
        url=chat_server.url(path),
        team=None,
    )
    outcome = chat_webhook_test(webhook=webhook)
    assert outcome.ok, outcome.message
    [received] = chat_server.at(path)
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    body = received.json
    feed = f"/o/{tenancy.org.code}/"
    if service == "slack":
        assert set(body) == {"text"}
        assert "This is a test message from Coro" in body["text"]
        assert f"{feed}|Open Coro>" in body["text"]
    else:
        card = body["attachments"][0]["content"]
        assert "This is a test message from Coro" in card["body"][0]["text"]
        assert card["actions"][0]["url"].endswith(feed)
    webhook.refresh_from_db()
    assert webhook.last_ok_at is not None and webhook.last_error == ""


def test_a_refused_test_message_says_why(tenancy, chat_server):
    chat_server.answer("/slack/gone", (404, b"no_service"))
    webhook = chat_webhook_add(
        organisation=tenancy.org,
        actor=tenancy.admin,
        service="slack",
        url=chat_server.url("/slack/gone"),
        team=None,
    )
    outcome = chat_webhook_test(webhook=webhook)
    assert not outcome.ok
    assert "Slack refused the message (HTTP 404)" in outcome.message
    assert "“no_service”" in outcome.message
    webhook.refresh_from_db()
    assert webhook.last_ok_at is None and webhook.last_error_at is not None


# --- Errors in words ----------------------------------------------------------------------


def test_errors_are_stored_as_codes_and_said_in_the_readers_language():
    stored = chat_error_dump("refused", status=403, answer="invalid_token" * 40)
    assert len(stored) <= 300
    assert json.loads(stored)["code"] == "refused"
    said = chat_error_message(stored, service="teams")
    assert said.startswith("Microsoft Teams refused the message (HTTP 403)")
    assert said.count("invalid_token") < 40  # the service's answer, cut short


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        (chat_error_dump("fetch", fetch="address"), "private network"),
        (chat_error_dump("gave_up", status=503, attempts=6), "tried 6 times"),
        (chat_error_dump("gave_up", fetch="timeout", attempts=6), "took too long"),
        (chat_error_dump("redirect", status=301), "redirect (HTTP 301)"),
        (chat_error_dump("unreadable"), "can't read the stored webhook address"),
        ("a plain old message", "a plain old message"),
    ],
)
def test_every_error_has_words(stored, said):
    assert said in chat_error_message(stored, service="slack")
