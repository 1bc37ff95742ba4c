"""'Delete my account': the person is erased; the organisation's totals are not."""

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse

from coro.accounts.models import User
from coro.analytics.models import ShareVisits
from coro.analytics.rollups import rollup_run
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold
from coro.orgs.models import Membership, Role
from coro.privacy.selectors import totals_of
from coro.privacy.services import ErasureRefused, account_erase, erasure_blockers
from coro.program.models import ConsentRecord
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import Click, Share
from testing.factories import (
    ClickFactory,
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)
from testing.tenancy import PASSWORD

URL = "/me/delete/"


def confirm(user, **changes) -> dict[str, str]:
    return {"password": PASSWORD, "confirm_email": user.email, **changes}


@pytest.fixture
def footprint(tenancy):
    """The employee leaves traces everywhere Coro can hold them."""
    me = tenancy.employee
    me.team = TeamFactory(organisation=tenancy.org)
    me.recognition_opt_in = True
    me.save()
    user = me.user
    program_join(membership=me, terms=terms_current(tenancy.org))
    post = PostFactory(organisation=tenancy.org, author=me, title="Escrito por Emilio")
    share = ShareFactory(post=post, membership=me)
    ClickFactory.create_batch(3, share=share)
    ClickFactory(share=ShareFactory(post=post, membership=tenancy.editor))
    notification_hold(
        user=user,
        organisation=tenancy.org,
        kind=Notification.Kind.TERMS_UPDATED,
        subject=f"Hola {user.name}",
        body=f"Escrito para {user.email}",
    )
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        target=me,
        action=AuditEntry.Action.ROLE_CHANGED,
        before={"role": "employee"},
        after={"role": "employee"},
    )
    audit_record(organisation=tenancy.org, actor=me, action=AuditEntry.Action.PRIVACY_CHANGED)
    InvitationFactory(organisation=tenancy.org, email=user.email, invited_by=tenancy.admin.user)
    InvitationFactory(organisation=tenancy.other_org, email=user.email)  # still pending
    InvitationFactory(organisation=tenancy.org, email="amiga@example.com", invited_by=user)
    tenancy.footprint_share = share
    return tenancy


def _rows_mentioning(needles: list[str]) -> list[str]:
    """Every row of every table whose text, JSON or other values contain any needle."""
    found = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            text = json.dumps(row, default=str, ensure_ascii=False).lower()
            for needle in needles:
                if needle.lower() in text:
                    found.append(f"{model._meta.label} {row.get('id', row)}: {needle}")
    return found


def _references_to_user(pk: int) -> list[str]:
    """Every foreign key column pointing at the user table that holds this id."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model is User
                and model._default_manager.filter(**{field.attname: pk}).exists()
            ):
                found.append(f"{model._meta.label}.{field.attname}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            for fk in through._meta.concrete_fields:
                if (
                    isinstance(fk, models.ForeignKey)
                    and fk.related_model is User
                    and through._default_manager.filter(**{fk.attname: pk}).exists()
                ):
                    found.append(f"{through._meta.label}.{fk.attname}")
    return found


def _sessions_of(pk: int) -> list[str]:
    return [
        s.session_key for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(pk)
    ]


# --- The page -----------------------------------------------------------------------------


def test_page_asks_for_password_and_typed_address(tenancy):
    response = tenancy.client_for(tenancy.employee.user).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="password"' in page
    assert 'name="confirm_email"' in page
    assert "cannot be undone" in page
    assert f'href="{reverse("me:data")}"' in page


def test_anonymous_is_sent_to_login(client):
    for method in (client.get, client.post):
        response = method(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "wrong password"},
        {"password": ""},
        {"confirm_email": ""},
        {"confirm_email": "someone@example.com"},
        {"confirm_email": "emilio"},
    ],
)
def test_wrong_password_or_confirmation_erases_nothing(tenancy, changes):
    user = tenancy.employee.user
    response = tenancy.client_for(user).post(URL, confirm(user, **changes))
    assert response.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    assert Membership.objects.filter(pk=tenancy.employee.pk).exists()


def test_the_typed_address_ignores_case_and_spaces(tenancy):
    user = tenancy.employee.user
    client = tenancy.client_for(user)
    response = client.post(URL, confirm(user, confirm_email=f"  {user.email.upper()} "))
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_erasing_signs_out_and_says_goodbye(tenancy):
    user = tenancy.employee.user
    client = tenancy.client_for(user)
    response = client.post(URL, confirm(user), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain[0] == (reverse("accounts:login"), 302)
    assert "Your account was erased." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get("/o/").status_code == 302  # back to the login page


def test_the_old_password_no_longer_signs_in(tenancy):
    user = tenancy.employee.user
    tenancy.client_for(user).post(URL, confirm(user))
    assert not Client().login(username=user.email, password=PASSWORD)


# --- Nothing of the person is left --------------------------------------------------------


def test_no_row_anywhere_keeps_the_name_address_or_id(footprint):
    user = footprint.employee.user
    name, email, pk = user.name, user.email, user.pk
    other_device = Client()
    other_device.force_login(user)
    client = footprint.client_for(user)
    assert _rows_mentioning([name, email])  # the check does find them before
    assert _references_to_user(pk)
    assert len(_sessions_of(pk)) == 2

    response = client.post(URL, confirm(user))
    assert response.status_code == 302

    assert _rows_mentioning([name, email]) == []
    assert _references_to_user(pk) == []
    assert _sessions_of(pk) == []
    assert not User.objects.filter(pk=pk).exists()
    # The other device is signed out too.
    assert other_device.get(f"/o/{footprint.org.code}/").status_code == 302


def test_pseudonymous_refs_stay_but_lead_to_nobody(footprint):
    me = footprint.employee
    consent_ref, code = me.consent_ref, me.code
    account_erase(user=me.user)
    assert ConsentRecord.objects.filter(subject=consent_ref).count() == 1
    assert AuditEntry.objects.filter(target_ref=code).count() == 1
    assert AuditEntry.objects.filter(actor_ref=code).count() == 1
    assert not Membership.objects.filter(consent_ref=consent_ref).exists()
    assert not Membership.objects.filter(code=code).exists()


def test_totals_do_not_change(footprint):
    rollup_run()
    before = totals_of(footprint.org)
    share = footprint.footprint_share
    account_erase(user=footprint.employee.user)
    rollup_run()
    after = totals_of(footprint.org)
    assert (after.posts, after.shares, after.clicks) == (before.posts, before.shares, before.clicks)
    assert (after.shares, after.clicks) == (2, 4)
    # The person's share stays, linked to nobody, with its clicks counted.
    share.refresh_from_db()
    assert share.membership_id is None
    assert Click.objects.filter(share=share).count() == 3
    assert ShareVisits.objects.get(share=share).visits == 3
    assert Share.objects.filter(code=share.code).exists()


def test_their_tracked_links_keep_working(footprint):
    share = footprint.footprint_share
    account_erase(user=footprint.employee.user)
    response = Client().get(f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0 Firefox/140")
    assert response.status_code in (301, 302)
    assert Click.objects.filter(share=share).count() == 4


def test_posts_they_wrote_stay_without_an_author(footprint):
    account_erase(user=footprint.employee.user)
    from coro.content.models import Post

    post = Post.objects.get(texts__es__title="Escrito por Emilio")
    assert post.author_id is None


def test_the_people_page_no_longer_lists_them(footprint):
    user = footprint.employee.user
    name, email = user.name, user.email
    account_erase(user=user)
    page = footprint.client_for(footprint.admin.user).get(f"/o/{footprint.org.code}/people/")
    html = page.content.decode()
    assert name not in html
    assert email not in html


def test_other_people_are_untouched(footprint):
    account_erase(user=footprint.employee.user)
    assert Membership.objects.filter(organisation=footprint.org).count() == 2
    assert User.objects.filter(pk=footprint.editor.user.pk).exists()
    assert Share.objects.filter(membership=footprint.editor).count() == 1
    # An invitation they sent stays, without them as its sender.
    from coro.orgs.models import Invitation

    sent = Invitation.objects.get(email="amiga@example.com")
    assert sent.invited_by_id is None


# --- The last admin -----------------------------------------------------------------------


def test_the_last_admin_must_hand_over_first(tenancy):
    user = tenancy.admin.user
    client = tenancy.client_for(user)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are the only admin" in page
    assert tenancy.org.name in page
    assert 'name="password"' not in page

    response = client.post(URL, confirm(user))
    assert response.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    with pytest.raises(ErasureRefused) as refused:
        account_erase(user=user)
    assert refused.value.organisations == [tenancy.org]


def test_an_admin_with_a_fellow_admin_may_go(tenancy):
    tenancy.editor.role = Role.ADMIN
    tenancy.editor.save()
    user = tenancy.admin.user
    assert erasure_blockers(user) == []
    response = tenancy.client_for(user).post(URL, confirm(user))
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_only_member_of_an_organisation_may_go(db):
    only = MembershipFactory(role=Role.ADMIN)
    organisation = only.organisation
    assert erasure_blockers(only.user) == []
    account_erase(user=only.user)
    organisation.refresh_from_db()  # the organisation and its content stay
    assert not organisation.memberships.exists()


def test_blockers_name_only_the_organisations_that_need_an_admin(tenancy):
    # The outsider is the only admin of other_org, but alone there: no blocker.
    assert erasure_blockers(tenancy.outsider.user) == []
    MembershipFactory(organisation=tenancy.other_org, role=Role.EMPLOYEE)
    assert erasure_blockers(tenancy.outsider.user) == [tenancy.other_org]
    assert erasure_blockers(tenancy.employee.user) == []
    assert erasure_blockers(tenancy.editor.user) == []


def test_erasure_is_all_or_nothing(footprint, monkeypatch):
    user = footprint.employee.user

    def broken(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(User, "delete", broken)
    with pytest.raises(RuntimeError):
        account_erase(user=user)
    from coro.orgs.models import Invitation

    assert Invitation.objects.filter(email=user.email).count() == 2
    assert Membership.objects.filter(user=user).exists()


def test_sessions_in_cookies_are_left_to_expire(footprint, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    account_erase(user=footprint.employee.user)
    assert not User.objects.filter(email=footprint.employee.user.email).exists()


def test_url_name():
    assert reverse("me:delete") == URL
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
