"""Connected accounts: disconnecting (and revoking), tokens encrypted at rest, "reconnect
needed", and the daily follower count; against mastodon-mock on loopback."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from mastodon.errors import MastodonUnauthorizedError
from mastodon_mock.testing import MockServer

from coro.connections import services
from coro.connections.models import ConnectedAccount, MastodonApp
from coro.core import crypto
from coro.core.periodic import JOBS
from coro.notifications.models import Notification
from coro.people.services import member_remove
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing.models import ScheduledPost
from testing.factories import ConnectedAccountFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read Coro's English texts (the default language is Spanish)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def server(settings):
    with MockServer() as running:
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{running.port}"]
        yield running


def account_on(server, membership, username="bob"):
    """A connected account made as the OAuth flow makes it (the app registered on the server,
    the token the server gave for the person)."""
    from mastodon import Mastodon

    client_id, client_secret = Mastodon.create_app(
        "Coro", scopes=["write:statuses", "read:accounts"], api_base_url=server.base_url
    )
    token = server.client(username).access_token
    return services.account_connect(
        membership=membership,
        network="mastodon",
        server=server.base_url,
        handle=f"@{username}@127.0.0.1",
        remote_id=str(server.client(username).account_verify_credentials()["id"]),
        credentials={
            "server": server.base_url,
            "access_token": token,
            "client_id": client_id,
            "client_secret": client_secret,
        },
        followers_count=None,
    )


def disconnect_url(account):
    return reverse(
        "connections:account_disconnect",
        kwargs={"org_code": account.membership.organisation.code, "code": account.code},
    )


def test_disconnect_asks_first_then_revokes_and_deletes(tenancy, server):
    account = account_on(server, tenancy.employee)
    token = account.credentials["access_token"]
    web = tenancy.client_for(tenancy.employee.user)
    page = web.get(disconnect_url(account))
    assert page.status_code == 200
    assert "@bob@127.0.0.1" in page.content.decode()
    assert ConnectedAccount.objects.exists()
    response = web.post(disconnect_url(account), follow=True)
    assert "Disconnected @bob@127.0.0.1." in response.content.decode()
    assert not ConnectedAccount.objects.exists()
    with pytest.raises(MastodonUnauthorizedError):
        server.client(token=token).account_verify_credentials()


def test_disconnect_deletes_locally_when_revoking_fails_and_says_so(tenancy, server, settings):
    account = account_on(server, tenancy.employee)
    settings.FETCH_TEST_ALLOW = []  # the server can no longer be reached
    web = tenancy.client_for(tenancy.employee.user)
    response = web.post(disconnect_url(account), follow=True)
    assert "could not be told" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_nobody_else_can_disconnect_an_account(tenancy, server):
    account = account_on(server, tenancy.employee)
    for member in (tenancy.admin, tenancy.editor):
        web = tenancy.client_for(member.user)
        assert web.get(disconnect_url(account)).status_code == 404
        assert web.post(disconnect_url(account)).status_code == 404
    assert ConnectedAccount.objects.exists()


def test_tokens_are_encrypted_at_rest_and_a_tampered_value_fails_closed(tenancy, server):
    account = account_on(server, tenancy.employee)
    token = account.credentials["access_token"]
    stored = ConnectedAccount.objects.values_list("credentials_encrypted", flat=True).get()
    assert token not in stored and "access_token" not in stored
    key_id, _, value = stored.partition(":")
    tampered = f"{key_id}:{value[:-6]}{'A' if value[-6] != 'A' else 'B'}{value[-5:]}"
    ConnectedAccount.objects.update(credentials_encrypted=tampered)
    account.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        account.credentials  # noqa: B018
    # Refreshing the follower count does not carry on with a guess: reconnect needed.
    assert services.account_followers_refresh(account_id=account.pk) is None
    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.RECONNECT


def test_followers_refresh_counts_and_marks_reconnect_on_a_refused_token(tenancy, server):
    account = account_on(server, tenancy.employee, "bob")  # alice follows bob
    assert services.account_followers_refresh(account_id=account.pk) == 1
    account.refresh_from_db()
    assert account.followers_count == 1 and account.followers_refreshed_at is not None
    services.account_credentials_update(account=account, changes={"access_token": "revoked"})
    assert services.account_followers_refresh(account_id=account.pk) is None
    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.RECONNECT
    assert account.followers_count == 1  # the last known count stays


def reconnect_messages(membership):
    return Notification.objects.filter(
        user=membership.user, kind=Notification.Kind.ACCOUNT_RECONNECT
    )


def test_a_refused_token_found_by_the_follower_count_tells_the_person_once(tenancy, server):
    account = account_on(server, tenancy.employee, "bob")
    tenancy.employee.user.language = "en"
    tenancy.employee.user.save(update_fields=["language"])
    services.account_credentials_update(account=account, changes={"access_token": "revoked"})

    assert services.account_followers_refresh(account_id=account.pk) is None

    notification = reconnect_messages(tenancy.employee).get()
    assert notification.organisation == tenancy.org
    assert notification.subject == "Connect your Mastodon account again"
    assert "@bob@127.0.0.1" in notification.body
    assert "My networks" in notification.body
    # To My networks, where the account is connected again (not to the scheduled posts).
    assert notification.link == reverse("connections:profiles", args=[tenancy.org.code])
    assert notification.about == f"account:{account.code}"
    # Held like any message: inside the person's working hours (charter rule 9).
    assert notification.deliver_after >= notification.created_at

    # Found out again (the daily job, a scheduled post): nobody is told twice.
    account.refresh_from_db()
    assert services.account_mark_reconnect(account=account) is False
    assert services.account_followers_refresh(account_id=account.pk) is None
    assert reconnect_messages(tenancy.employee).count() == 1


def test_credentials_that_cannot_be_read_tell_the_person_in_their_language(tenancy, server):
    account = account_on(server, tenancy.employee, "bob")
    tenancy.employee.user.language = "es"
    tenancy.employee.user.save(update_fields=["language"])
    ConnectedAccount.objects.filter(pk=account.pk).update(credentials_encrypted="k1:garbage")

    assert services.account_followers_refresh(account_id=account.pk) is None

    notification = reconnect_messages(tenancy.employee).get()
    assert notification.subject == "Vuelve a conectar tu cuenta de Mastodon"


def test_connecting_again_and_losing_access_again_tells_the_person_again(tenancy, server):
    account = account_on(server, tenancy.employee, "bob")
    assert services.account_mark_reconnect(account=account) is True
    account = account_on(server, tenancy.employee, "bob")  # connected again: a new change
    assert account.status == ConnectedAccount.Status.CONNECTED
    assert services.account_mark_reconnect(account=account) is True
    assert reconnect_messages(tenancy.employee).count() == 2


def test_someone_who_left_is_not_told_but_the_account_is_marked(tenancy, server):
    account = account_on(server, tenancy.employee, "bob")
    tenancy.employee.deactivated_at = timezone.now()
    tenancy.employee.save(update_fields=["deactivated_at"])
    assert services.account_mark_reconnect(account=account) is True
    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.RECONNECT
    assert not reconnect_messages(tenancy.employee).exists()


def test_a_failing_server_keeps_the_last_count(tenancy, server, settings):
    account = account_on(server, tenancy.employee, "bob")
    services.account_followers_refresh(account_id=account.pk)
    settings.FETCH_TEST_ALLOW = []
    assert services.account_followers_refresh(account_id=account.pk) == 1
    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.CONNECTED


def test_the_daily_job_refreshes_every_connected_account(
    tenancy, server, django_capture_on_commit_callbacks
):
    bob = account_on(server, tenancy.employee, "bob")
    alice = account_on(server, tenancy.editor, "alice")
    ConnectedAccount.objects.filter(pk=alice.pk).update(status=ConnectedAccount.Status.RECONNECT)
    job = JOBS["connections.followers"]
    assert job.every.days == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job.run()
    assert len(callbacks) == 1  # one task per connected account; none for "reconnect"
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert bob.followers_count == 1
    assert alice.followers_count is None


def test_the_networks_page_lists_the_account_with_a_disconnect_button(tenancy, server):
    account = account_on(server, tenancy.employee)
    web = tenancy.client_for(tenancy.employee.user)
    page = web.get(
        reverse("connections:profiles", kwargs={"org_code": tenancy.org.code})
    ).content.decode()
    assert "@bob@127.0.0.1" in page
    assert disconnect_url(account) in page
    assert reverse("connections:mastodon_connect", kwargs={"org_code": tenancy.org.code}) in page
    bluesky = reverse("connections:bluesky_connect", kwargs={"org_code": tenancy.org.code})
    assert bluesky in page
    assert web.get(bluesky).status_code == 200


# --- Disconnecting, leaving, removal: posts still waiting, tokens revoked ---------------------


def test_disconnecting_cancels_the_posts_still_waiting_and_says_so(tenancy, server):
    account = account_on(server, tenancy.employee)
    waiting = ScheduledPostFactory(
        share__membership=tenancy.employee, share__network="mastodon", account=account
    )
    later = ScheduledPostFactory(
        share__membership=tenancy.employee,
        share__network="mastodon",
        account=account,
        run_at=timezone.now() + timedelta(days=2),
    )
    done = ScheduledPostFactory(
        share__membership=tenancy.employee,
        share__network="mastodon",
        account=account,
        status=ScheduledPost.Status.POSTED,
    )
    other = ScheduledPostFactory(share__membership=tenancy.admin)  # someone else's, on Bluesky
    web = tenancy.client_for(tenancy.employee.user)
    page = web.get(disconnect_url(account)).content.decode()
    assert "still waiting will be cancelled" in page
    web.post(disconnect_url(account))
    statuses = dict(ScheduledPost.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: "cancelled",
        later.pk: "cancelled",
        done.pk: "posted",
        other.pk: "scheduled",
    }


def test_leaving_the_program_disconnects_and_revokes_the_accounts(tenancy, server):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    account = account_on(server, tenancy.employee)
    token = account.credentials["access_token"]
    others = account_on(server, tenancy.admin, "carol")
    waiting = ScheduledPostFactory(
        share__membership=tenancy.employee, share__network="mastodon", account=account
    )
    assert program_leave(membership=tenancy.employee)
    assert list(ConnectedAccount.objects.all()) == [others]
    with pytest.raises(MastodonUnauthorizedError):
        server.client(token=token).account_verify_credentials()
    waiting.refresh_from_db()
    assert waiting.status == ScheduledPost.Status.CANCELLED


def test_leaving_goes_on_when_revoking_fails_in_any_way(tenancy, server, monkeypatch):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    account_on(server, tenancy.employee)

    def broken(credentials):
        raise TypeError("an answer nobody expected")

    monkeypatch.setitem(services.REVOKERS, "mastodon", broken)
    assert program_leave(membership=tenancy.employee)
    assert not ConnectedAccount.objects.exists()


def test_removing_a_member_revokes_their_accounts_first(tenancy, server):
    """Even someone who never joined the program: their tokens are revoked, not just
    deleted with the membership."""
    account = account_on(server, tenancy.employee)
    token = account.credentials["access_token"]
    member_remove(membership=tenancy.employee, actor=tenancy.admin)
    assert not ConnectedAccount.objects.exists()
    with pytest.raises(MastodonUnauthorizedError):
        server.client(token=token).account_verify_credentials()


def test_a_new_key_rewrites_every_token_and_app_secret(tenancy, settings):
    old = {"old": "an-old-secret-of-at-least-32-characters!!"}
    settings.ENCRYPTION_KEYS = old
    account = ConnectedAccountFactory(membership=tenancy.employee)
    credentials = account.credentials
    app = MastodonApp(server="https://mastodon.example", client_id="id", scopes="s")
    app.redirect_uri = "https://coro.example/oauth/mastodon/callback/"
    app.client_secret = "app-secret"
    app.save()
    settings.ENCRYPTION_KEYS = {"new": "a-new-secret-of-at-least-32-characters!!!", **old}
    assert services.secrets_reencrypt() == 2
    assert services.secrets_reencrypt() == 0  # done already
    settings.ENCRYPTION_KEYS = {"new": "a-new-secret-of-at-least-32-characters!!!"}
    account.refresh_from_db()
    app.refresh_from_db()
    assert account.credentials_encrypted.startswith("new:")
    assert account.credentials == credentials
    assert app.client_secret == "app-secret"
