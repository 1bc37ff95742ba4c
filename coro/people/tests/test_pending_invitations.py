"""Pending invitations on the People page: expiry, re-sending, and the link to copy."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from coro.orgs import services as org_services
from coro.orgs.models import Invitation
from coro.orgs.tokens import invitation_token
from testing.factories import InvitationFactory, TeamFactory


def people_url(org) -> str:
    return f"/o/{org.code}/people/"


def resend_url(invitation) -> str:
    return f"/o/{invitation.organisation.code}/people/invitations/{invitation.code}/resend/"


@pytest.fixture
def pending(tenancy):
    return InvitationFactory(
        organisation=tenancy.org,
        email="nuria@example.com",
        team=TeamFactory(organisation=tenancy.org, name="Taller"),
    )


@pytest.fixture
def expired(tenancy):
    return InvitationFactory(
        organisation=tenancy.org,
        email="tarde@example.com",
        expires_at=timezone.now() - timedelta(hours=1),
    )


def item_of(html: str, invitation) -> str:
    match = re.search(
        rf'<li class="invitation" id="invitation-{invitation.code}">(.*?)</li>', html, re.S
    )
    assert match, f"no list item for {invitation.email}"
    return match.group(1)


# --- The list -------------------------------------------------------------------------------


def test_each_pending_invitation_shows_email_role_team_and_expiry(tenancy, admin, pending):
    html = admin.get(people_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    item = item_of(html, pending)
    assert "nuria@example.com" in item
    assert "Employee" in item
    assert "Taller" in item
    with translation.override("en"):
        date = date_format(timezone.localtime(pending.expires_at), "DATE_FORMAT")
    assert f"Expires on {date}" in item
    assert "Send again" in item
    assert "Withdraw" in item
    # A list of cards, not a wide table; and no inline style or script.
    assert "<table" not in html.split('id="invite-heading"')[1]
    assert 'style="' not in html
    assert "<script>" not in html


def test_the_link_is_in_a_read_only_field_that_works_without_javascript(tenancy, admin, pending):
    html = admin.get(people_url(tenancy.org)).content.decode()
    item = item_of(html, pending)
    field = re.search(r"<input[^>]*>", item).group(0)
    # The token is signed with a timestamp, so it is read from the page, then checked.
    link = re.search(r'value="([^"]+)"', field).group(1)
    assert link.startswith(settings.BASE_URL + "/invite/")
    token = link.removeprefix(settings.BASE_URL + "/invite/").rstrip("/")
    assert token.split(":")[0] == invitation_token(pending).split(":")[0]
    assert "readonly" in field
    assert f'id="invitation-link-{pending.code}"' in field
    assert f'<label class="small" for="invitation-link-{pending.code}">' in item
    # The copy button is revealed by the script; the script is a file, loaded with defer.
    assert f'data-copy="invitation-link-{pending.code}" hidden' in item
    assert re.search(r'<script src="[^"]*/coro/people\.js" defer></script>', html)
    # And the copied link is the real one: it opens the invitation.
    response = Client().get(link.removeprefix(settings.BASE_URL))
    assert response.status_code == 200
    assert "nuria@example.com" in response.content.decode()


def test_an_expired_invitation_says_so_and_offers_no_dead_link(tenancy, admin, expired):
    html = admin.get(people_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    item = item_of(html, expired)
    assert "expired" in item
    assert "Expired on" in item
    assert 'type="text"' not in item
    assert "Send it again to give the link a new expiry date." in item


def test_accepted_invitations_are_not_listed(tenancy, admin):
    used = InvitationFactory(
        organisation=tenancy.org, email="dentro@example.com", accepted_at=timezone.now()
    )
    html = admin.get(people_url(tenancy.org)).content.decode()
    assert used.code not in html
    assert "dentro@example.com" not in html


# --- Re-sending -----------------------------------------------------------------------------


def test_resending_sends_the_email_again_and_renews_the_link(
    tenancy, admin, pending, django_capture_on_commit_callbacks
):
    pending.expires_at = timezone.now() + timedelta(days=1)
    pending.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(resend_url(pending))
    assert response.status_code == 302
    assert response["Location"] == people_url(tenancy.org)
    pending.refresh_from_db()
    assert timezone.now() - pending.last_sent_at < timedelta(seconds=5)
    days = settings.INVITATION_MAX_AGE_DAYS
    assert abs(pending.expires_at - (pending.last_sent_at + timedelta(days=days))) < timedelta(
        seconds=1
    )
    assert [m.to for m in mail.outbox] == [["nuria@example.com"]]
    assert invitation_token(pending) in mail.outbox[0].body
    page = admin.get(people_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Invitation sent again to nuria@example.com." in page


def test_resending_an_expired_invitation_makes_its_link_work_again(
    tenancy, admin, expired, django_capture_on_commit_callbacks
):
    path = f"/invite/{invitation_token(expired)}/"
    assert Client().get(path).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(resend_url(expired))
    expired.refresh_from_db()
    assert not expired.is_expired
    assert len(mail.outbox) == 1
    assert Client().get(path).status_code == 200


def test_the_email_goes_out_only_after_the_commit(
    tenancy, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        org_services.invitation_resend(invitation=pending)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_second_click_right_away_sends_nothing_more(
    tenancy, admin, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(resend_url(pending))
        response = admin.post(resend_url(pending))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    page = admin.get(people_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "It was sent a moment ago." in page


def test_resending_a_minute_later_is_fine(tenancy, pending, django_capture_on_commit_callbacks):
    pending.last_sent_at = timezone.now() - timedelta(minutes=2)
    pending.save()
    with django_capture_on_commit_callbacks(execute=True):
        org_services.invitation_resend(invitation=pending)
    assert len(mail.outbox) == 1


def test_an_invitation_accepted_meanwhile_is_not_resent(tenancy, pending):
    Invitation.objects.filter(pk=pending.pk).update(accepted_at=timezone.now())
    with pytest.raises(org_services.InvitationError):
        org_services.invitation_resend(invitation=pending)


def test_resend_is_post_only_admin_only_and_stays_in_the_organisation(tenancy, pending):
    assert tenancy.client_for(tenancy.admin.user).get(resend_url(pending)).status_code == 405
    for who in ("editor", "employee"):
        client = tenancy.client_for(getattr(tenancy, who).user)
        assert client.post(resend_url(pending)).status_code == 403
    assert tenancy.client_for(tenancy.outsider.user).post(resend_url(pending)).status_code == 404
    foreign = InvitationFactory(organisation=tenancy.other_org)
    url = f"/o/{tenancy.org.code}/people/invitations/{foreign.code}/resend/"
    assert tenancy.client_for(tenancy.admin.user).post(url).status_code == 404
    accepted = InvitationFactory(organisation=tenancy.org, accepted_at=timezone.now())
    assert tenancy.client_for(tenancy.admin.user).post(resend_url(accepted)).status_code == 404
    pending.refresh_from_db()
    foreign.refresh_from_db()
    assert pending.last_sent_at is None and foreign.last_sent_at is None
    assert mail.outbox == []
