"""'Download my data': a ZIP of JSON files with everything Coro holds about the person."""

import io
import json
import zipfile
from datetime import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from coro.accounts.models import User
from coro.accounts.personal_data import USER_FIELDS_WITHHELD
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold
from coro.program.models import ConsentRecord
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import Preview
from testing.factories import (
    ClickFactory,
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)

URL = "/me/data/"
FILES = {
    "README.txt",
    "profile.json",
    "email_addresses.json",
    "two_factor_methods.json",
    "memberships.json",
    "company_sign_in.json",
    "participation.json",
    "consent_ledger.json",
    "consent_receipts.json",
    "shares.json",
    "clicks.json",
    "previews.json",
    "scheduled_posts.json",
    "networks.json",
    "working_hours.json",
    "notifications.json",
    "notification_preferences.json",
    "digests.json",
    "audit.json",
    "posts.json",
    "reactions.json",
    "comments.json",
    "invitations.json",
    "team_figures.json",
    "share_visits.json",
}


@pytest.fixture
def rich(tenancy):
    """The employee, with something in every file; and a colleague with data of their own."""
    me = tenancy.employee
    me.team = TeamFactory(organisation=tenancy.org, name="Almacén")
    me.recognition_opt_in = True
    me.save()
    user = me.user
    user.work_days = "1234"
    user.work_start = time(8, 0)
    user.work_end = time(15, 0)
    user.time_zone = "Atlantic/Canary"
    user.save()

    colleague = tenancy.editor
    program_join(membership=me, terms=terms_current(tenancy.org))
    program_join(membership=colleague, terms=terms_current(tenancy.org))

    post = PostFactory(organisation=tenancy.org, title="Nueva tienda", author=me)
    share = ShareFactory(post=post, membership=me, network="linkedin")
    ClickFactory.create_batch(2, share=share)
    Preview.objects.bulk_create([Preview(share=share) for _ in range(3)])
    other_share = ShareFactory(post=post, membership=colleague, network="x")
    ClickFactory(share=other_share)
    Preview.objects.create(share=other_share)
    PostFactory(organisation=tenancy.org, title="Escrito por otra", author=colleague)

    notification_hold(
        user=user,
        organisation=tenancy.org,
        kind=Notification.Kind.TERMS_UPDATED,
        subject="Nuevas condiciones",
        body="Hay una versión nueva.",
    )
    notification_hold(
        user=colleague.user,
        organisation=tenancy.org,
        kind=Notification.Kind.TERMS_UPDATED,
        subject="Mensaje para Eva",
        body="Solo para Eva.",
    )
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        target=me,
        action=AuditEntry.Action.ROLE_CHANGED,
        before={"team": None},
        after={"team": "Almacén"},
        reason="Cambio de equipo",
    )
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        target=colleague,
        action=AuditEntry.Action.ROLE_CHANGED,
        reason="Solo sobre Eva",
    )
    InvitationFactory(organisation=tenancy.org, email=user.email, invited_by=tenancy.admin.user)
    InvitationFactory(organisation=tenancy.org, email="amiga@example.com", invited_by=user)
    InvitationFactory(organisation=tenancy.org, email="ajena@example.com")
    return tenancy


def download(client) -> tuple[zipfile.ZipFile, bytes]:
    response = client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="coro-my-data-')
    assert response["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.content)), response.content


def load(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_get_shows_the_page_with_a_button(tenancy):
    response = tenancy.client_for(tenancy.employee.user).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Download my data" in page
    assert '<form method="post">' in page
    assert response["Content-Type"].startswith("text/html")


def test_anonymous_is_sent_to_login(client):
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_zip_holds_every_file(rich):
    archive, _ = download(rich.client_for(rich.employee.user))
    assert set(archive.namelist()) == FILES
    assert archive.testzip() is None
    for name in FILES - {"README.txt"}:
        load(archive, name)  # valid JSON
    readme = archive.read("README.txt").decode()
    for name in FILES - {"README.txt"}:
        assert name in readme


def test_profile_has_every_account_field_but_the_password(rich):
    user = rich.employee.user
    archive, _ = download(rich.client_for(user))
    profile = load(archive, "profile.json")
    expected = {f.name for f in User._meta.concrete_fields} - USER_FIELDS_WITHHELD
    assert expected <= set(profile)
    assert "password" not in profile
    assert profile["email"] == user.email
    assert profile["name"] == user.name
    assert profile["id"] == user.pk


def test_memberships_and_participation(rich):
    me = rich.employee
    archive, _ = download(rich.client_for(me.user))
    [membership] = load(archive, "memberships.json")
    assert membership == {
        "organisation": rich.org.name,
        "organisation_code": rich.org.code,
        "member_code": me.code,
        "role": "employee",
        "team": "Almacén",
        "created_at": membership["created_at"],
        "recognition_opt_in": True,
        "consent_ref": me.consent_ref,
    }
    [participation] = load(archive, "participation.json")
    assert participation["status"] == "enrolled"
    assert participation["terms_version"] == 1


def test_consent_ledger_has_the_persons_records_only(rich):
    archive, _ = download(rich.client_for(rich.employee.user))
    records = load(archive, "consent_ledger.json")
    mine = ConsentRecord.objects.get(subject=rich.employee.consent_ref)
    assert [(r["subject"], r["hash"]) for r in records] == [(rich.employee.consent_ref, mine.hash)]


def test_the_download_holds_a_receipt_that_verifies(rich, tmp_path):
    archive, _ = download(rich.client_for(rich.employee.user))
    [receipt] = load(archive, "consent_receipts.json")
    mine = ConsentRecord.objects.get(subject=rich.employee.consent_ref)
    assert receipt["record"]["hash"] == mine.hash
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    out = io.StringIO()
    call_command("ledger", "verify", "--receipt", str(path), stdout=out)
    assert "OK" in out.getvalue()


def test_shares_and_clicks(rich):
    archive, _ = download(rich.client_for(rich.employee.user))
    [share] = load(archive, "shares.json")
    assert share["post"] == "Nueva tienda"
    assert share["network"] == "linkedin"
    assert share["clicks"] == 2
    assert share["tracked_link"] == f"{settings.BASE_URL}/r/{share['code']}"
    [day] = load(archive, "clicks.json")
    assert day["share"] == share["code"]
    assert day["clicks"] == 2


def test_previews_are_counted_apart_from_visits(rich):
    """Two visits and three previews of the person's link: each counted once, apart (two
    counts joined in one query would give six of each)."""
    archive, _ = download(rich.client_for(rich.employee.user))
    [share] = load(archive, "shares.json")
    assert (share["clicks"], share["previews"]) == (2, 3)
    [day] = load(archive, "previews.json")
    assert day == {"share": share["code"], "day": day["day"], "previews": 3}
    assert "Vistas previas de tus enlaces compartidos" in archive.read("README.txt").decode()


def test_working_hours(rich):
    archive, _ = download(rich.client_for(rich.employee.user))
    hours = load(archive, "working_hours.json")
    assert hours["work_days"] == [1, 2, 3, 4]
    assert hours["work_start"] == "08:00:00"
    assert hours["work_end"] == "15:00:00"
    assert hours["time_zone"] == "Atlantic/Canary"
    assert hours["next_working_window_start"]


def test_notifications_posts_audit_and_invitations(rich):
    user = rich.employee.user
    archive, _ = download(rich.client_for(user))
    notifications = load(archive, "notifications.json")
    [notification] = [n for n in notifications if n["kind"] == Notification.Kind.TERMS_UPDATED]
    assert notification["subject"] == "Nuevas condiciones"
    # The rest are the person's own consent receipts (joining), never someone else's.
    assert {n["kind"] for n in notifications} <= {"terms_updated", "consent_receipt"}
    assert [p["title"] for p in load(archive, "posts.json")] == ["Nueva tienda"]
    [entry] = load(archive, "audit.json")
    assert entry["reason"] == "Cambio de equipo"
    assert entry["target_ref"] == rich.employee.code
    invitations = load(archive, "invitations.json")
    assert [i["email"] for i in invitations["received"]] == [user.email]
    assert [i["email"] for i in invitations["sent"]] == ["amiga@example.com"]


def test_no_secret_is_in_the_zip(rich):
    user = rich.employee.user
    client = rich.client_for(user)
    archive, raw = download(client)
    everything = "\n".join(archive.read(name).decode() for name in archive.namelist())
    assert user.password not in everything
    assert user.password.split("$")[-1] not in everything  # not even the hash part
    assert "password" not in everything.lower().replace("without your password", "")
    assert client.session.session_key not in everything
    assert settings.SECRET_KEY not in everything
    assert user.password.encode() not in raw


def test_another_persons_data_is_absent(rich):
    archive, _ = download(rich.client_for(rich.employee.user))
    everything = "\n".join(archive.read(name).decode() for name in archive.namelist())
    colleague = rich.editor
    for value in (
        colleague.user.name,
        colleague.user.email,
        colleague.consent_ref,
        ConsentRecord.objects.get(subject=colleague.consent_ref).hash,  # their ledger record
        "Mensaje para Eva",
        "Solo sobre Eva",
        "Escrito por otra",
        "ajena@example.com",
        rich.outsider.user.email,
    ):
        assert value not in everything, value


def test_each_person_downloads_their_own(rich):
    archive, _ = download(rich.client_for(rich.editor.user))
    profile = load(archive, "profile.json")
    assert profile["email"] == rich.editor.user.email
    assert [s["network"] for s in load(archive, "shares.json")] == ["x"]
    assert rich.employee.user.email not in archive.read("invitations.json").decode()


def test_a_person_in_two_organisations_gets_both(rich):
    MembershipFactory(organisation=rich.other_org, user=rich.employee.user)
    archive, _ = download(rich.client_for(rich.employee.user))
    names = {m["organisation"] for m in load(archive, "memberships.json")}
    assert names == {rich.org.name, rich.other_org.name}
    statuses = {p["organisation"]: p["status"] for p in load(archive, "participation.json")}
    assert statuses == {rich.org.name: "enrolled", rich.other_org.name: "never_joined"}


def test_url_name():
    assert reverse("me:data") == URL
