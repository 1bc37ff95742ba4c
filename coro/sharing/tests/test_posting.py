"""Posting on one's own connected account, only on one's own action: "Post now" and
"Schedule for a time I choose" from the share screen, the list of scheduled posts,
cancelling, and leaving the program."""

from dataclasses import replace
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from coro import networks
from coro.connections.models import ConnectedAccount
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing import posting
from coro.sharing.models import ScheduledPost, Share
from coro.sharing.services import share_record
from testing.factories import (
    ConnectedAccountFactory,
    MembershipFactory,
    PostFactory,
    ScheduledPostFactory,
)
from testing.posting_network import NETWORK, HttpTestClient

Status = ScheduledPost.Status
TEXT = "Nuevos azulejos de la Albufera, hechos a mano."


@pytest.fixture(autouse=True)
def network_with_client(monkeypatch):
    """The network has a client (never called here: these tests run no task)."""
    client = HttpTestClient("http://127.0.0.1:9")
    monkeypatch.setitem(
        networks.NETWORKS, NETWORK, replace(networks.NETWORKS[NETWORK], client=client)
    )


@pytest.fixture
def person(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    return tenancy.employee


@pytest.fixture
def account(person):
    return ConnectedAccountFactory.create(membership=person, network=NETWORK, handle="emilio.test")


@pytest.fixture
def post(tenancy):
    return PostFactory.create(organisation=tenancy.org, title="Colección Albufera")


@pytest.fixture
def client(tenancy, person):
    client = tenancy.client_for(person.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post_url(post, network=NETWORK):
    return f"/o/{post.organisation.code}/posts/{post.code}/share/{network}/post/"


def list_url(org):
    return f"/o/{org.code}/me/scheduled-posts/"


def cancel_url(scheduled):
    return (
        f"/o/{scheduled.share.post.organisation.code}/me/scheduled-posts/{scheduled.code}/cancel/"
    )


# --- The service ---------------------------------------------------------------------------


def make(person, account, post, text=TEXT, run_at=None):
    share = share_record(post=post, membership=person, network=NETWORK, text=text)
    return posting.scheduled_post_create(share=share, account=account, text=text, run_at=run_at)


def test_post_now_is_due_at_once_with_its_own_key(person, account, post):
    before = timezone.now()
    scheduled = make(person, account, post)
    assert scheduled.status == Status.SCHEDULED
    assert before <= scheduled.run_at <= timezone.now()
    assert scheduled.account == account
    assert len(scheduled.idempotency_key) == 32
    assert make(person, account, post).idempotency_key != scheduled.idempotency_key


def test_only_the_persons_own_connected_account(tenancy, person, post):
    someone_else = ConnectedAccountFactory.create(
        membership=MembershipFactory.create(organisation=tenancy.org), network=NETWORK
    )
    with pytest.raises(ValidationError) as error:
        make(person, someone_else, post)
    assert error.value.code == "not_yours"
    assert ScheduledPost.objects.count() == 0


def test_an_account_needing_reconnection_cannot_post(person, account, post):
    account.status = ConnectedAccount.Status.RECONNECT
    account.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        make(person, account, post)
    assert error.value.code == "reconnect"


def test_a_network_without_a_client_cannot_post(person, post):
    x_account = ConnectedAccountFactory.create(membership=person, network="x")
    share = share_record(post=post, membership=person, network="x", text=TEXT)
    with pytest.raises(ValidationError) as error:
        posting.scheduled_post_create(share=share, account=x_account, text=TEXT)
    assert error.value.code == "no_client"


def test_the_text_must_fit_the_network_and_have_no_prompt_left(person, account, post):
    with pytest.raises(ValidationError) as error:
        make(person, account, post, text="x" * 400)
    assert "text" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        make(person, account, post, text="Mira esto [[por qué te importa]]")
    assert "text" in error.value.error_dict


def test_a_time_in_the_past_is_refused(person, account, post):
    with pytest.raises(ValidationError) as error:
        make(person, account, post, run_at=timezone.now() - timedelta(hours=1))
    assert "run_at" in error.value.error_dict


def test_someone_who_left_the_program_cannot_post(person, account, post, tenancy):
    share = share_record(post=post, membership=person, network=NETWORK, text=TEXT)
    program_leave(membership=person)
    share.refresh_from_db()
    share.membership = person  # as read before they left
    with pytest.raises(ValidationError) as error:
        posting.scheduled_post_create(share=share, account=account, text=TEXT)
    assert error.value.code == "not_enrolled"


# --- The views -------------------------------------------------------------------------------


def test_post_now_from_the_share_screen(client, tenancy, account, post):
    response = client.post(post_url(post), {"text": TEXT, "when": "now", "run_at": ""})
    assert response.status_code == 302
    assert response["Location"] == list_url(tenancy.org)
    scheduled = ScheduledPost.objects.get()
    assert scheduled.text == TEXT
    assert scheduled.run_at <= timezone.now()
    assert scheduled.share.network == NETWORK
    # The share remembers the words, like a share through the network's own dialog.
    assert Share.objects.get().text == TEXT

    page = client.get(list_url(tenancy.org)).content.decode()
    assert "Colección Albufera" in page
    assert "Scheduled" in page
    assert "emilio.test" in page


def test_schedule_in_the_organisations_time_zone(client, tenancy, account, post):
    zone = "America/New_York"
    assert zone != settings.TIME_ZONE
    tenancy.org.time_zone = zone
    tenancy.org.save(update_fields=["time_zone"])
    day = (timezone.now() + timedelta(days=30)).astimezone(ZoneInfo(zone))
    local = day.replace(hour=10, minute=30, second=0, microsecond=0)
    response = client.post(
        post_url(post), {"text": TEXT, "when": "later", "run_at": f"{local:%Y-%m-%dT10:30}"}
    )
    assert response.status_code == 302
    scheduled = ScheduledPost.objects.get()
    # 10:30 in New York, whatever the server's own zone (UTC-5 or UTC-4 in summer).
    assert scheduled.run_at == local
    assert scheduled.run_at.astimezone(UTC).hour in (14, 15)
    page = client.get(list_url(tenancy.org)).content.decode()
    # The zone as people read it: New York, UTC minus 5 (minus 4 in summer).
    assert "New York (UTC\u22125)" in page or "New York (UTC\u22124)" in page
    assert f'datetime="{local.isoformat()}"' in page


def test_schedule_without_a_time_says_so_and_keeps_the_text(client, account, post):
    response = client.post(post_url(post), {"text": TEXT, "when": "later", "run_at": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pick the day and time to post it." in page
    assert TEXT in page
    assert ScheduledPost.objects.count() == 0


def test_a_past_time_or_a_text_too_long_is_shown_not_saved(client, account, post):
    response = client.post(
        post_url(post), {"text": TEXT, "when": "later", "run_at": "2001-01-01T10:00"}
    )
    assert response.status_code == 200
    assert "That time has passed" in response.content.decode()
    long_text = "x" * 400
    response = client.post(post_url(post), {"text": long_text, "when": "now"})
    assert response.status_code == 200
    assert "this text has" in response.content.decode()
    assert long_text in response.content.decode()
    assert ScheduledPost.objects.count() == 0
    assert Share.objects.count() == 0  # nothing half-done


def test_without_a_connected_account_nothing_is_posted(client, post):
    response = client.post(post_url(post), {"text": TEXT, "when": "now"})
    assert response.status_code == 200
    assert "You haven't connected" in response.content.decode()
    assert ScheduledPost.objects.count() == 0


def test_a_network_without_posting_is_404(client, post):
    assert client.post(post_url(post, "x"), {"text": TEXT, "when": "now"}).status_code == 404


def test_not_enrolled_goes_to_the_terms(tenancy, post):
    ConnectedAccountFactory.create(membership=tenancy.editor, network=NETWORK)
    response = tenancy.client_for(tenancy.editor.user).post(
        post_url(post), {"text": TEXT, "when": "now"}
    )
    assert response.status_code == 302
    assert "/program/" in response["Location"]
    assert ScheduledPost.objects.count() == 0


def test_cancel_asks_first_then_cancels(client, person, account, post, tenancy):
    scheduled = make(person, account, post, run_at=timezone.now() + timedelta(days=1))
    page = client.get(cancel_url(scheduled))
    assert page.status_code == 200
    assert "Cancel this post?" in page.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED  # asking changes nothing

    response = client.post(cancel_url(scheduled))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == Status.CANCELLED
    assert posting.scheduled_post_run(post_id=scheduled.pk, now=scheduled.run_at) is None


def test_a_post_going_out_cannot_be_cancelled(client, person, account, post):
    scheduled = make(person, account, post)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTING, claimed_at=timezone.now()
    )
    client.post(cancel_url(scheduled))
    scheduled.refresh_from_db()
    assert scheduled.status == Status.POSTING


def test_another_persons_scheduled_post_is_404(tenancy, client):
    theirs = ScheduledPostFactory.create(
        share__post=PostFactory.create(organisation=tenancy.org), share__membership=tenancy.editor
    )
    assert client.get(cancel_url(theirs)).status_code == 404
    assert client.post(cancel_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SCHEDULED


def test_the_list_shows_only_ones_own(tenancy, client, person, account, post):
    mine = make(person, account, post)
    theirs = ScheduledPostFactory.create(
        share__post=PostFactory.create(organisation=tenancy.org), share__membership=tenancy.editor
    )
    page = client.get(list_url(tenancy.org)).content.decode()
    assert mine.code in page
    assert theirs.code not in page


def test_a_posted_one_links_to_the_network(client, person, account, post, tenancy):
    scheduled = make(person, account, post)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTED, remote_url="https://pds.example/p/1", posted_at=timezone.now()
    )
    page = client.get(list_url(tenancy.org)).content.decode()
    assert 'href="https://pds.example/p/1"' in page
    assert cancel_url(scheduled) not in page


def test_leaving_the_program_cancels_the_persons_scheduled_posts(person, account, post, tenancy):
    waiting = make(person, account, post, run_at=timezone.now() + timedelta(days=1))
    retrying = make(person, account, post)
    ScheduledPost.objects.filter(pk=retrying.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=4), attempts=1
    )
    done = make(person, account, post)
    ScheduledPost.objects.filter(pk=done.pk).update(status=Status.POSTED)
    someone_elses = ScheduledPostFactory.create(
        share__post=PostFactory.create(organisation=tenancy.org), share__membership=tenancy.editor
    )

    program_leave(membership=person)

    statuses = dict(ScheduledPost.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == Status.CANCELLED
    assert statuses[retrying.pk] == Status.CANCELLED
    assert statuses[done.pk] == Status.POSTED
    assert statuses[someone_elses.pk] == Status.SCHEDULED


def test_a_post_whose_share_was_detached_is_never_sent(person, account, post):
    scheduled = make(person, account, post)
    Share.objects.filter(pk=scheduled.share_id).update(membership=None)
    ran = posting.scheduled_post_run(post_id=scheduled.pk)
    assert ran is not None and ran.status == Status.CANCELLED


# --- The share screen's part -------------------------------------------------------------------


def render_connected(membership, post, network_key=NETWORK):
    request = RequestFactory().get("/")
    return render_to_string(
        "sharing/_connected.html",
        {"membership": membership, "post": post, "network": networks.NETWORKS[network_key]},
        request=request,
    )


def test_the_share_screen_offers_post_now_and_schedule_with_an_account(person, account, post):
    html = render_connected(person, post)
    assert f'formaction="{post_url(post)}"' in html
    assert 'form="share-form"' in html
    assert 'name="when" value="now"' in html
    assert 'name="when" value="later"' in html
    assert 'type="datetime-local"' in html
    assert '<label for="share-run-at">' in html
    assert "emilio.test" in html


def test_the_share_screen_offers_nothing_without_an_account(person, post):
    assert render_connected(person, post).strip() == ""


def test_the_share_screen_says_when_the_account_needs_reconnecting(person, account, post):
    account.status = ConnectedAccount.Status.RECONNECT
    account.save(update_fields=["status"])
    html = render_connected(person, post)
    assert "Connect it again" in html
    assert "formaction" not in html


# --- From the share screen with htmx (its page, or the feed's dialog) ---------------------------

DIALOG = {"HTTP_HX_REQUEST": "true", "HTTP_X_CORO_DIALOG": "1"}


def test_post_now_from_the_dialog_answers_with_a_screen_for_the_dialog(
    client, tenancy, account, post
):
    response = client.post(post_url(post), {"text": TEXT, "when": "now"}, **DIALOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div class="card share-screen share-posted" id="share-screen"')
    assert "<html" not in page and 'class="topbar"' not in page
    assert "Posting it on Bluesky now" in page
    assert "emilio.test" in page
    assert f'href="{list_url(tenancy.org)}"' in page
    assert "Back to the feed" not in page  # the dialog has its own Close
    assert ScheduledPost.objects.get().text == TEXT
    # No message left for the next page: the dialog said it already.
    assert "Posting it on Bluesky now" not in client.get(list_url(tenancy.org)).content.decode()


def test_schedule_from_the_share_page_with_htmx_says_when(client, tenancy, account, post):
    at = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo(tenancy.org.time_zone))
    local = at.replace(second=0, microsecond=0)
    response = client.post(
        post_url(post),
        {"text": TEXT, "when": "later", "run_at": f"{local:%Y-%m-%dT%H:%M}"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="share-screen"' in page and "<html" not in page
    assert "Scheduled on Bluesky" in page
    assert f'datetime="{local.isoformat()}"' in page
    assert "Back to the feed" in page  # on the share page, not in the dialog
    assert ScheduledPost.objects.get().run_at == local


def test_errors_from_the_dialog_stay_in_the_dialog_with_the_text(client, account, post):
    words = "Mis palabras\npara el diálogo"
    response = client.post(post_url(post), {"text": words, "when": "later", "run_at": ""}, **DIALOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="share-screen"' in page and "<html" not in page
    assert "Pick the day and time to post it." in page
    assert words in page
    assert f'hx-post="{post_url(post)}"' in page
    assert 'hx-target="#share-screen"' in page
    assert ScheduledPost.objects.count() == 0

    response = client.post(
        post_url(post), {"text": words, "when": "later", "run_at": "2001-01-01T10:00"}, **DIALOG
    )
    page = response.content.decode()
    assert "That time has passed" in page and words in page and "<html" not in page
    assert Share.objects.count() == 0


def test_not_enrolled_from_the_dialog_goes_to_the_terms(tenancy, post):
    ConnectedAccountFactory.create(membership=tenancy.editor, network=NETWORK)
    response = tenancy.client_for(tenancy.editor.user).post(
        post_url(post), {"text": TEXT, "when": "now"}, **DIALOG
    )
    assert "/program/" in response["HX-Redirect"]
    assert ScheduledPost.objects.count() == 0


def test_without_javascript_the_page_flow_stays(client, tenancy, account, post):
    response = client.post(post_url(post), {"text": TEXT, "when": "later", "run_at": ""})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    response = client.post(post_url(post), {"text": TEXT, "when": "now"})
    assert response["Location"] == list_url(tenancy.org)


# --- The list: states, and only web addresses as links -------------------------------------------


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://x.example"]
)
def test_an_address_that_is_not_http_is_never_a_link(
    client, person, account, post, tenancy, address
):
    scheduled = make(person, account, post)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTED, remote_url=address, posted_at=timezone.now()
    )
    page = client.get(list_url(tenancy.org)).content.decode()
    assert "See it on the network" not in page
    assert address not in page


def test_web_address_keeps_http_and_https_only():
    assert posting.web_address("https://bsky.app/x") == "https://bsky.app/x"
    assert posting.web_address("HTTP://m.example/@a/1") == "HTTP://m.example/@a/1"
    for address in ("javascript:alert(1)", "", "//x.example", "http://[::1"):
        assert posting.web_address(address) == ""


def test_a_failed_post_on_an_account_to_reconnect_says_so(client, person, account, post, tenancy):
    scheduled = make(person, account, post)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.FAILED, last_error="Refused."
    )
    account.status = ConnectedAccount.Status.RECONNECT
    account.save(update_fields=["status"])
    page = client.get(list_url(tenancy.org)).content.decode()
    assert "It wasn't posted. Refused." in page
    assert "Connect your account again to post from Coro." in page
    assert "Bluesky (emilio.test)" in page


def test_opening_the_post_address_as_a_page_goes_back_to_the_share_screen(client, post):
    response = client.get(post_url(post))
    assert response.status_code == 302
    assert response["Location"] == post_url(post).removesuffix("post/")


def test_post_now_uses_the_link_the_share_screen_showed(client, person, account, post):
    from coro.sharing.reserved import reservation

    shown = reservation(post=post, membership=person, network=NETWORK)
    client.post(post_url(post), {"text": TEXT, "when": "now", "reserved": shown.token})
    share = Share.objects.get(post=post, membership=person, network=NETWORK)
    assert share.code == shown.code
