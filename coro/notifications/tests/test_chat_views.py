"""The team chat settings page: admins connect, test and remove channels; nobody else can."""

from datetime import datetime

import pytest

from coro.audit.models import AuditEntry
from coro.core import crypto
from coro.notifications.chat_services import chat_announce
from coro.notifications.models import ChatAnnouncement, ChatWebhook
from coro.notifications.tests.chat_server import (  # noqa: F401 (fixtures)
    MADRID,
    chat_server_fixture,
    clock_fixture,
    english_fixture,
)
from testing.factories import ChatWebhookFactory, TeamFactory

pytestmark = pytest.mark.usefixtures("english")


def page_url(org) -> str:
    return f"/o/{org.code}/settings/chat/"


@pytest.fixture
def admin(tenancy):
    return tenancy.client_for(tenancy.admin.user)


def get(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


def post(client, url, data=None, **kwargs):
    return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def add(client, org, url, *, service="slack", team=""):
    return post(client, page_url(org), {"service": service, "team": team, "url": url})


# --- The page -----------------------------------------------------------------------------


def test_the_admin_sees_an_empty_page_with_the_organisations_hours(tenancy, admin):
    response = get(admin, page_url(tenancy.org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No chat channels yet." in html
    assert (
        "Announcements wait for the organisation's working hours: Monday, Tuesday, "
        "Wednesday, Thursday, Friday, 09:00 to 18:00 (Europe/Madrid)."
    ) in html
    assert f'href="/o/{tenancy.org.code}/profile/"' in html
    assert 'name="url"' in html and 'name="service"' in html and 'name="team"' in html


@pytest.mark.parametrize("who", ["editor", "employee"])
def test_only_admins_may_open_or_change_it(tenancy, who):
    client = tenancy.client_for(getattr(tenancy, who).user)
    hook = ChatWebhookFactory(organisation=tenancy.org)
    assert get(client, page_url(tenancy.org)).status_code == 403
    url = "https://hooks.slack.com/services/T0001/B0001/abc"
    assert add(client, tenancy.org, url).status_code == 403
    assert post(client, f"{page_url(tenancy.org)}{hook.code}/test/").status_code == 403
    assert post(client, f"{page_url(tenancy.org)}{hook.code}/remove/").status_code == 403
    assert list(ChatWebhook.objects.all()) == [hook]


def test_another_organisations_webhook_is_not_found(tenancy, admin):
    theirs = ChatWebhookFactory(organisation=tenancy.other_org)
    base = page_url(tenancy.org)
    assert post(admin, f"{base}{theirs.code}/test/").status_code == 404
    assert get(admin, f"{base}{theirs.code}/remove/").status_code == 404
    assert post(admin, f"{base}{theirs.code}/remove/").status_code == 404
    assert ChatWebhook.objects.filter(pk=theirs.pk).exists()
    # Nor is it listed.
    assert theirs.code not in get(admin, base).content.decode()


def test_an_outsider_gets_404(tenancy):
    client = tenancy.client_for(tenancy.outsider.user)
    assert get(client, page_url(tenancy.org)).status_code == 404


# --- Connecting a channel -----------------------------------------------------------------


def test_a_team_channel_is_connected_and_shown_masked(tenancy, admin, chat_server):
    team = TeamFactory(organisation=tenancy.org, name="Ventas")
    secret_url = chat_server.url("/services/T0001/B0001/secretpartWXYZ")
    response = add(admin, tenancy.org, secret_url, service="teams", team=team.code)
    assert response.status_code == 302
    hook = ChatWebhook.objects.get()
    assert (hook.organisation, hook.team, hook.service) == (tenancy.org, team, "teams")
    assert crypto.decrypt(hook.url_encrypted) == secret_url

    html = get(admin, page_url(tenancy.org)).content.decode()
    assert "The channel is connected." in html
    assert "Microsoft Teams · Ventas" in html
    assert f"{chat_server.endpoint}/…/WXYZ" in html
    assert "secretpart" not in html
    assert "None yet." in html  # no message taken yet
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHAT_WEBHOOKS_CHANGED)
    assert entry.after["channel"] == "teams · Ventas" and "secretpart" not in str(entry.after)


def test_a_channel_for_everyone(tenancy, admin, chat_server):
    assert add(admin, tenancy.org, chat_server.url("/hook")).status_code == 302
    assert ChatWebhook.objects.get().team is None
    assert "Slack · Everyone" in get(admin, page_url(tenancy.org)).content.decode()


@pytest.mark.parametrize(
    ("service", "url", "said"),
    [
        (
            "slack",
            "http://hooks.slack.com/services/T1/B1/x",
            "A webhook address starts with https://",
        ),
        ("slack", "https://example.com/services/T1/B1/x", "This is not a Slack incoming webhook"),
        ("slack", "https://10.0.0.1/services/T1/B1/x", "This is not a Slack incoming webhook"),
        ("slack", "http://192.168.1.20:8080/hook", "A webhook address starts with https://"),
        ("teams", "https://hooks.slack.com/services/T1/B1/x", "This is not a Microsoft Teams"),
        ("slack", "", "Paste the webhook&#x27;s address."),
        ("irc", "https://hooks.slack.com/services/T1/B1/x", "Choose Slack or Microsoft Teams."),
    ],
)
def test_bad_addresses_are_refused_with_a_clear_message(tenancy, admin, service, url, said):
    response = add(admin, tenancy.org, url, service=service)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not ChatWebhook.objects.exists()


def test_a_team_of_another_organisation_is_refused(tenancy, admin):
    theirs = TeamFactory(organisation=tenancy.other_org)
    url = "https://hooks.slack.com/services/T1/B1/x"
    response = add(admin, tenancy.org, url, team=theirs.code)
    assert response.status_code == 400
    assert "Choose one of your organisation&#x27;s teams." in response.content.decode()
    assert not ChatWebhook.objects.exists()


# --- The test message ---------------------------------------------------------------------


def test_the_test_message_goes_out_and_says_so(tenancy, admin, chat_server, clock):
    add(admin, tenancy.org, chat_server.url("/hook"))
    hook = ChatWebhook.objects.get()
    response = post(admin, f"{page_url(tenancy.org)}{hook.code}/test/", follow=True)
    assert response.status_code == 200
    assert "Slack took the test message." in response.content.decode()
    assert len(chat_server.at("/hook")) == 1
    hook.refresh_from_db()
    assert hook.last_ok_at is not None


def test_a_refused_test_message_says_why(tenancy, admin, chat_server, clock):
    chat_server.answer("/hook", (403, b"invalid_token"))
    add(admin, tenancy.org, chat_server.url("/hook"))
    hook = ChatWebhook.objects.get()
    response = post(admin, f"{page_url(tenancy.org)}{hook.code}/test/", follow=True)
    html = response.content.decode()
    assert "The test message didn&#x27;t go through: Slack refused the message (HTTP 403)" in html
    assert f'id="webhook-{hook.code}-error"' in html


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 6, 1, 22, 0, tzinfo=MADRID),  # Monday night
        datetime(2026, 6, 6, 11, 0, tzinfo=MADRID),  # Saturday
    ],
)
def test_a_test_message_outside_working_hours_asks_first(
    tenancy, admin, chat_server, clock, moment
):
    add(admin, tenancy.org, chat_server.url("/hook"))
    hook = ChatWebhook.objects.get()
    clock.set(moment)
    admin = tenancy.client_for(tenancy.admin.user)  # signed in now (sessions time out)
    page = get(admin, page_url(tenancy.org)).content.decode()
    assert 'id="chat-test-outside-hours"' in page
    assert "outside working hours now" in page

    url = f"{page_url(tenancy.org)}{hook.code}/test/"
    asked = post(admin, url)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Send a test message outside working hours?" in html
    assert "Working hours start again on" in html
    assert f'action="{url}"' in html and 'name="confirm" value="yes"' in html
    assert f'href="{page_url(tenancy.org)}#webhook-{hook.code}"' in html  # Cancel
    assert "<script" not in html.split("</head>")[-1] and " onclick=" not in html
    assert chat_server.received == []  # nothing posted yet

    sent = post(admin, url, {"confirm": "yes"}, follow=True)
    assert "Slack took the test message." in sent.content.decode()
    assert len(chat_server.at("/hook")) == 1


def test_a_test_message_inside_working_hours_goes_at_once(tenancy, admin, chat_server, clock):
    add(admin, tenancy.org, chat_server.url("/hook"))
    hook = ChatWebhook.objects.get()
    page = get(admin, page_url(tenancy.org)).content.decode()
    assert 'id="chat-test-outside-hours"' not in page
    response = post(admin, f"{page_url(tenancy.org)}{hook.code}/test/")
    assert response.status_code == 302
    assert len(chat_server.at("/hook")) == 1


def test_the_test_message_takes_only_post(tenancy, admin):
    hook = ChatWebhookFactory(organisation=tenancy.org)
    assert get(admin, f"{page_url(tenancy.org)}{hook.code}/test/").status_code == 405


def test_a_refused_announcement_is_shown_clearly_on_the_page(
    tenancy,
    admin,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    chat_server.answer("/hook", (404, b"no_service"))
    add(admin, tenancy.org, chat_server.url("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        chat_announce(
            organisation=tenancy.org, team_ids=[], about="post:x", text="New post", link="/o/x/"
        )
    assert ChatAnnouncement.objects.get().status == ChatAnnouncement.Status.FAILED
    html = get(admin, page_url(tenancy.org)).content.decode()
    assert "A channel didn't take Coro's last message:" in html
    assert "Slack refused the message (HTTP 404)" in html
    assert "“no_service”" in html


# --- Removing a channel -------------------------------------------------------------------


def test_removing_asks_first_then_removes(tenancy, admin):
    hook = ChatWebhookFactory(organisation=tenancy.org)
    url = f"{page_url(tenancy.org)}{hook.code}/remove/"
    confirm = get(admin, url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Disconnect the chat channel?" in html and "hooks.slack.example/…/XXXX" in html
    assert ChatWebhook.objects.filter(pk=hook.pk).exists()
    response = post(admin, url, follow=True)
    assert "The channel is disconnected" in response.content.decode()
    assert not ChatWebhook.objects.filter(pk=hook.pk).exists()
    # The audit trail keeps who removed which channel, its address masked.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHAT_WEBHOOKS_CHANGED)
    assert entry.actor_ref == tenancy.admin.code
    assert entry.before == {"channel": "slack · *", "address": "hooks.slack.example/…/XXXX"}


def test_the_list_is_paginated(tenancy, admin):
    for _ in range(25):
        ChatWebhookFactory(organisation=tenancy.org)
    first = get(admin, page_url(tenancy.org)).content.decode()
    assert first.count('class="card blog-feed"') == 20 and "Page 1 of 2" in first
    second = get(admin, page_url(tenancy.org) + "?page=2").content.decode()
    assert second.count('class="card blog-feed"') == 5
