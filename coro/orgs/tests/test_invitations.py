"""Invitations: sent by e-mail through the task, signed, expiring, and good for one use."""

import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from coro.accounts.models import User
from coro.orgs import services
from coro.orgs.models import Invitation, Membership, Role
from coro.orgs.tokens import invitation_token
from testing.factories import InvitationFactory, MembershipFactory, TeamFactory, UserFactory
from testing.tenancy import PASSWORD

NEW_PASSWORD = "azulejos-de-manises-1927"


def invite_path(invitation: Invitation) -> str:
    return f"/invite/{invitation_token(invitation)}/"


def signup(client: Client, path: str, name: str = "Nuria Calatayud"):
    return client.post(path, {"name": name, "password": NEW_PASSWORD})


@pytest.fixture
def invite(tenancy, django_capture_on_commit_callbacks):
    """Invite someone as the admin, through the page, and return (response, mail)."""

    def send(email: str = "nuria@example.com", role: str = "editor", team=None):
        client = tenancy.client_for(tenancy.admin.user)
        data = {"email": email, "role": role, "team": team.pk if team else ""}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/o/{tenancy.org.code}/people/invite/", data)
        return response

    return send


def link_in(message) -> str:
    match = re.search(r"https?://\S+/invite/\S+/", message.body)
    assert match, message.body
    return match.group(0)


# --- Sending ------------------------------------------------------------------------------


def test_admin_invites_and_an_email_with_a_link_is_sent(tenancy, invite):
    team = TeamFactory(organisation=tenancy.org, name="Ventas")
    response = invite(email="  Nuria@Example.com ", role="editor", team=team)
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/people/"

    invitation = Invitation.objects.get()
    assert invitation.email == "nuria@example.com"
    assert invitation.organisation == tenancy.org
    assert invitation.role == Role.EDITOR
    assert invitation.team == team
    assert invitation.invited_by == tenancy.admin.user
    assert invitation.accepted_at is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuria@example.com"]
    assert tenancy.org.name in message.subject
    link = link_in(message)
    assert link.startswith(settings.BASE_URL + "/invite/")
    assert link == settings.BASE_URL + invite_path(invitation)


def test_the_email_is_sent_only_once_the_invitation_is_committed(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    client.post(
        f"/o/{tenancy.org.code}/people/invite/", {"email": "x@example.com", "role": "employee"}
    )
    # Without the commit, the task never ran: no e-mail about an invitation that may not exist.
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_the_email_task_skips_an_invitation_accepted_meanwhile(tenancy):
    from coro.orgs.tasks import send_invitation_email

    invitation = InvitationFactory(organisation=tenancy.org, accepted_at=timezone.now())
    send_invitation_email.enqueue(invitation.pk)
    assert mail.outbox == []


def test_inviting_a_current_member_is_refused(tenancy, invite):
    response = invite(email=tenancy.employee.user.email.upper())
    assert response.status_code == 400
    assert "email" in response.context["invitation_form"].errors
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_inviting_with_an_invalid_email_is_refused(tenancy, invite):
    response = invite(email="not-an-address")
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_inviting_with_another_organisations_team_is_refused(tenancy, invite):
    foreign_team = TeamFactory(organisation=tenancy.other_org, name="Ajeno")
    response = invite(team=foreign_team)
    assert response.status_code == 400
    assert "team" in response.context["invitation_form"].errors
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["editor", "employee"])
def test_only_admins_may_invite(tenancy, who, django_capture_on_commit_callbacks):
    client = tenancy.client_for(getattr(tenancy, who).user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/o/{tenancy.org.code}/people/invite/", {"email": "x@example.com", "role": "admin"}
        )
    assert response.status_code == 403
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


# --- Accepting as a new person ------------------------------------------------------------


def test_new_person_creates_an_account_through_the_emailed_link(tenancy, invite):
    team = TeamFactory(organisation=tenancy.org, name="Ventas")
    invite(email="nuria@example.com", role="editor", team=team)
    path = urlsplit(link_in(mail.outbox[0])).path

    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    assert "nuria@example.com" in page.content.decode()
    assert 'name="password"' in page.content.decode()

    response = signup(client, path)
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/"

    user = User.objects.get(email="nuria@example.com")
    assert user.name == "Nuria Calatayud"
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role, membership.team) == (
        tenancy.org,
        Role.EDITOR,
        team,
    )
    assert Invitation.objects.get().accepted_at is not None

    feed = client.get(response["Location"])
    assert feed.status_code == 200
    assert tenancy.org.name in feed.content.decode()


def test_the_link_works_once(tenancy, invite):
    invite()
    path = urlsplit(link_in(mail.outbox[0])).path
    signup(Client(), path)

    again = Client()
    response = again.get(path)
    assert response.status_code == 404
    assert response.context["reason"] == "used"
    assert "orgs/invitation_invalid.html" in [t.name for t in response.templates]
    response = signup(again, path, name="Impostor")
    assert response.status_code == 404
    assert User.objects.filter(email="nuria@example.com").count() == 1
    assert Membership.objects.filter(user__email="nuria@example.com").count() == 1
    assert SESSION_KEY not in again.session


def test_signup_with_a_weak_password_gives_the_form_back(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    client = Client()
    response = client.post(invite_path(invitation), {"name": "Nuria", "password": "123"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="nuria@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_signup_needs_a_name(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    response = Client().post(invite_path(invitation), {"name": "", "password": NEW_PASSWORD})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not User.objects.filter(email="nuria@example.com").exists()


def test_signup_cannot_choose_another_email(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    Client().post(
        invite_path(invitation),
        {"name": "Nuria", "password": NEW_PASSWORD, "email": "someone.else@example.com"},
    )
    assert not User.objects.filter(email="someone.else@example.com").exists()
    assert User.objects.filter(email="nuria@example.com").exists()


def test_joining_the_organisation_does_not_enrol_in_the_program(tenancy):
    from coro.program.models import Participation

    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    signup(Client(), invite_path(invitation))
    membership = Membership.objects.get(user__email="nuria@example.com")
    assert not Participation.objects.filter(membership=membership).exists()


# --- Refused links ------------------------------------------------------------------------


def test_expired_invitation_is_refused_with_a_clear_page(tenancy):
    invitation = InvitationFactory(
        organisation=tenancy.org,
        email="nuria@example.com",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    client = Client()
    response = client.get(invite_path(invitation))
    assert response.status_code == 404
    assert response.context["reason"] == "expired"
    assert "orgs/invitation_invalid.html" in [t.name for t in response.templates]
    assert 'href="/accounts/login/"' in response.content.decode()

    response = signup(client, invite_path(invitation))
    assert response.status_code == 404
    assert not User.objects.filter(email="nuria@example.com").exists()


def test_invitation_expires_after_the_configured_days(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org)
    expected = timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    assert abs(invitation.expires_at - expected) < timedelta(minutes=1)


@pytest.mark.parametrize("mangle", ["flip-last", "truncate", "garbage", "other-salt"])
def test_tampered_token_is_refused(tenancy, mangle):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    token = invitation_token(invitation)
    if mangle == "flip-last":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif mangle == "truncate":
        token = token[: len(token) // 2]
    elif mangle == "garbage":
        token = "not-a-token"
    else:
        token = signing.dumps(invitation.code, salt="some.other.salt")
    client = Client()
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 404
    assert response.context["reason"] == "unknown"
    signup(client, f"/invite/{token}/")
    assert not User.objects.filter(email="nuria@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_signed_code_of_a_deleted_invitation_is_refused(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org)
    path = invite_path(invitation)
    invitation.delete()
    response = Client().get(path)
    assert response.status_code == 404
    assert response.context["reason"] == "unknown"


# --- Existing accounts --------------------------------------------------------------------


def test_existing_user_must_log_in_first_then_accepts(tenancy):
    person = UserFactory(email="carmen@example.com")
    MembershipFactory(user=person, organisation=tenancy.other_org)
    invitation = InvitationFactory(organisation=tenancy.org, email="carmen@example.com")
    path = invite_path(invitation)

    client = Client()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?{urlencode({'next': path})}"
    # Posting a sign-up form does not get around the login.
    response = signup(client, path)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=person, organisation=tenancy.org).exists()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)

    response = client.post(
        response["Location"], {"login": "carmen@example.com", "password": PASSWORD}
    )
    assert response["Location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert page.context["form"] is None
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/"
    assert Membership.objects.filter(user=person, organisation=tenancy.org).count() == 1


def test_signed_in_person_with_another_email_gets_403(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    client = tenancy.client_for(tenancy.outsider.user)
    response = client.get(invite_path(invitation))
    assert response.status_code == 403
    assert "nuria@example.com" in response.content.decode()
    response = client.post(invite_path(invitation))
    assert response.status_code == 403
    assert not Membership.objects.filter(
        user=tenancy.outsider.user, organisation=tenancy.org
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_second_acceptance_does_not_create_a_second_membership(tenancy):
    person = UserFactory(email="carmen@example.com")
    invitation = InvitationFactory(organisation=tenancy.org, email="carmen@example.com")
    path = invite_path(invitation)
    first, second = Client(), Client()
    first.force_login(person)
    second.force_login(person)
    # Both tabs opened the link while it was still good.
    assert first.get(path).status_code == 200
    assert second.get(path).status_code == 200
    assert first.post(path).status_code == 302
    response = second.post(path)
    assert response.status_code == 404
    assert response.context["reason"] == "used"
    assert Membership.objects.filter(user=person, organisation=tenancy.org).count() == 1


def test_accepting_a_stale_invitation_object_is_refused(tenancy):
    """Two requests that both read the invitation before either accepted it."""
    person = UserFactory(email="carmen@example.com")
    invitation = InvitationFactory(organisation=tenancy.org, email="carmen@example.com")
    seen_by_first = services.invitation_from_token(invitation_token(invitation))
    seen_by_second = services.invitation_from_token(invitation_token(invitation))
    services.invitation_accept(invitation=seen_by_first, user=person)
    with pytest.raises(services.InvitationError):
        services.invitation_accept(invitation=seen_by_second, user=person)
    assert Membership.objects.filter(user=person, organisation=tenancy.org).count() == 1


def test_accepting_when_already_a_member_keeps_the_one_membership(tenancy):
    invitation = InvitationFactory(
        organisation=tenancy.org, email=tenancy.employee.user.email, role=Role.ADMIN
    )
    member = services.invitation_accept(invitation=invitation, user=tenancy.employee.user)
    assert member == tenancy.employee
    assert Membership.objects.filter(user=tenancy.employee.user).count() == 1
    member.refresh_from_db()
    assert member.role == Role.EMPLOYEE  # an invitation is no way to change a role


def meanwhile(monkeypatch, action):
    """Run ``action`` after the view checked the invitation and before it acts on it,
    as another request committing at that moment would."""
    from coro.accounts.forms import SignUpForm
    from coro.orgs import views

    class RacingSignUpForm(SignUpForm):
        def clean(self):
            action()
            return super().clean()

    monkeypatch.setattr(views, "SignUpForm", RacingSignUpForm)


def test_double_submitted_signup_gives_one_account_and_no_error(tenancy, monkeypatch):
    """The other submit of the same form created the account between our check and create."""
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")

    def other_submit_wins():
        winner = services.user_create(email="nuria@example.com", name="Nuria", password="x")
        services.invitation_accept(invitation=invitation, user=winner)

    meanwhile(monkeypatch, other_submit_wins)
    client = Client()
    response = signup(client, invite_path(invitation))
    assert response.status_code == 404
    assert response.context["reason"] == "used"
    assert User.objects.filter(email="nuria@example.com").count() == 1
    assert Membership.objects.filter(user__email="nuria@example.com").count() == 1
    assert SESSION_KEY not in client.session


def test_no_orphan_account_when_the_invitation_is_used_up_meanwhile(tenancy, monkeypatch):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")

    def used_elsewhere():
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    meanwhile(monkeypatch, used_elsewhere)
    client = Client()
    response = signup(client, invite_path(invitation))
    assert response.status_code == 404
    assert response.context["reason"] == "used"
    assert not User.objects.filter(email="nuria@example.com").exists()
    assert SESSION_KEY not in client.session


# --- Revoking -----------------------------------------------------------------------------


def test_admin_revokes_a_pending_invitation_and_its_link_dies(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    path = invite_path(invitation)
    client = tenancy.client_for(tenancy.admin.user)
    assert "nuria@example.com" in client.get(f"/o/{tenancy.org.code}/people/").content.decode()

    response = client.post(f"/o/{tenancy.org.code}/people/invitations/{invitation.code}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/people/"
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert "nuria@example.com" not in client.get(f"/o/{tenancy.org.code}/people/").content.decode()

    response = Client().get(path)
    assert response.status_code == 404


def test_revoke_is_post_only(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org)
    client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/people/invitations/{invitation.code}/revoke/"
    assert client.get(url).status_code == 405
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize("who", ["editor", "employee"])
def test_only_admins_may_revoke(tenancy, who):
    invitation = InvitationFactory(organisation=tenancy.org)
    client = tenancy.client_for(getattr(tenancy, who).user)
    url = f"/o/{tenancy.org.code}/people/invitations/{invitation.code}/revoke/"
    assert client.post(url).status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_cannot_revoke_another_organisations_invitation(tenancy):
    foreign = InvitationFactory(organisation=tenancy.other_org)
    client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/people/invitations/{foreign.code}/revoke/"
    assert client.post(url).status_code == 404
    assert Invitation.objects.filter(pk=foreign.pk).exists()


def test_accepted_invitation_cannot_be_revoked(tenancy):
    accepted = InvitationFactory(organisation=tenancy.org, accepted_at=timezone.now())
    client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/people/invitations/{accepted.code}/revoke/"
    assert client.post(url).status_code == 404
    assert Invitation.objects.filter(pk=accepted.pk).exists()
