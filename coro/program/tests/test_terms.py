"""Rule 2: the deal is written down and versioned. Admins publish versions that never change;
enrolled people keep the version they accepted until they accept the new one or leave."""

import copy
import hashlib
import json
import re

import pytest
from django.db import transaction

from coro.audit.models import AuditEntry
from coro.notifications.models import Notification
from coro.program import selectors, services
from coro.program.models import (
    ConsentRecord,
    Participation,
    Terms,
    TermsArePublished,
    terms_fingerprint,
)
from coro.program.tests.conftest import fields_from_texts, publish, texts_from_fields
from testing.factories import MembershipFactory, PostFactory, ShareFactory, TermsFactory


def manage_url(org) -> str:
    return f"/o/{org.code}/program/manage/"


def terms_url(org) -> str:
    return f"/o/{org.code}/program/"


def version_url(org, version: int) -> str:
    return f"/o/{org.code}/program/versions/{version}/"


def join_url(org) -> str:
    return f"/o/{org.code}/program/join/"


def feed_url(org) -> str:
    return f"/o/{org.code}/"


# The form's fields, and the same as terms texts.
NEW_TEXTS = {
    "offer_es": "Formación mensual y café.",
    "offer_en": "Monthly training and coffee.",
    "commitment_es": "Mencionar la empresa en tu perfil.",
    "commitment_en": "Mention the company on your profile.",
}
NEW = texts_from_fields(NEW_TEXTS)


# --- A published version never changes ----------------------------------------------------


def test_terms_rows_cannot_be_changed_or_deleted(tenancy):
    terms = selectors.terms_current(tenancy.org)
    sha = terms.sha256
    terms.texts = texts_from_fields({"offer_en": "Something else"}, terms.texts)
    with pytest.raises(TermsArePublished):
        terms.save()
    with pytest.raises(TermsArePublished):
        terms.delete()
    with pytest.raises(TermsArePublished):
        Terms.objects.filter(pk=terms.pk).update(texts={})
    with pytest.raises(TermsArePublished):
        Terms.objects.filter(pk=terms.pk).delete()
    with pytest.raises(TermsArePublished), transaction.atomic():
        Terms.objects.bulk_update([terms], ["texts"])
    assert Terms.objects.get(pk=terms.pk).sha256 == sha


def canonical_sha256(texts: dict) -> str:
    """The fingerprint as docs/program.md states it, written out independently of the code."""
    canonical = json.dumps(
        {"format": 2, "texts": texts}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_fingerprint_is_of_the_canonical_form_of_every_language(tenancy):
    terms = services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=NEW)
    assert terms.sha256 == canonical_sha256(NEW)
    # The same texts written in another order are the same terms.
    reordered = {lang: dict(reversed(parts.items())) for lang, parts in reversed(NEW.items())}
    assert terms_fingerprint(reordered) == terms.sha256


def test_the_fingerprint_covers_every_text_in_every_language(tenancy):
    base = selectors.terms_current(tenancy.org)
    seen = {base.sha256}
    for language, parts in base.texts.items():
        for part in parts:
            changed = copy.deepcopy(base.texts)
            changed[language][part] += "."
            seen.add(terms_fingerprint(changed))
        fewer = {code: p for code, p in base.texts.items() if code != language}
        seen.add(terms_fingerprint(fewer))
    texts_count = sum(len(parts) for parts in base.texts.values())
    assert len(seen) == 1 + texts_count + len(base.texts)


def test_the_ledger_records_the_fingerprint_of_every_language(tenancy):
    terms = services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=NEW)
    services.program_join(membership=tenancy.employee, terms=terms)
    record = ConsentRecord.objects.get()
    assert record.terms_sha256 == canonical_sha256(NEW) == terms.sha256


# --- Publishing ---------------------------------------------------------------------------


def test_publishing_creates_the_next_version(tenancy):
    terms = services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=NEW)
    assert terms.version == 2
    assert selectors.terms_current(tenancy.org) == terms
    assert terms.texts == NEW
    assert terms.text("en").offer == NEW_TEXTS["offer_en"]
    assert [t.version for t in selectors.terms_versions(tenancy.org)] == [2, 1]
    assert [t.version for t in selectors.terms_versions(tenancy.other_org)] == [1]


def test_publishing_strips_the_texts(tenancy):
    texts = texts_from_fields({k: f"  {v}\n" for k, v in NEW_TEXTS.items()})
    terms = services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=texts)
    assert terms.texts == NEW


def test_publishing_is_audited_with_version_and_fingerprint(tenancy):
    before = selectors.terms_current(tenancy.org)
    terms = services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=NEW)
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert entry.action == AuditEntry.Action.TERMS_PUBLISHED
    assert entry.actor_ref == tenancy.admin.code
    assert entry.after == {"version": 2, "sha256": terms.sha256}
    assert entry.before == {"version": 1, "sha256": before.sha256}


def test_publishing_the_same_text_again_is_refused(tenancy):
    current = selectors.terms_current(tenancy.org)
    same = {lang: {p: t + "  " for p, t in parts.items()} for lang, parts in current.texts.items()}
    with pytest.raises(services.TermsUnchangedError):
        services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=same)
    assert Terms.objects.filter(organisation=tenancy.org).count() == 1
    assert not AuditEntry.objects.exists()
    assert not Notification.objects.exists()


def test_an_organisation_without_terms_publishes_version_one(db):
    from coro.orgs.models import Role
    from testing.factories import OrganisationFactory

    org = OrganisationFactory()
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    terms = services.terms_publish(organisation=org, actor=admin, texts=NEW)
    assert terms.version == 1
    assert AuditEntry.objects.get().before == {}


# --- What publishing means for enrolled people --------------------------------------------


@pytest.fixture
def enrolled(tenancy):
    """The employee and the editor take part under version 1; someone else left."""
    v1 = selectors.terms_current(tenancy.org)
    services.program_join(membership=tenancy.employee, terms=v1)
    services.program_join(membership=tenancy.editor, terms=v1)
    gone = MembershipFactory(organisation=tenancy.org)
    services.program_join(membership=gone, terms=v1)
    services.program_leave(membership=gone)
    return v1


def test_enrolled_people_stay_enrolled_under_the_version_they_accepted(tenancy, enrolled, post):
    share = ShareFactory(post=post, membership=tenancy.employee)
    records_before = ConsentRecord.objects.count()
    publish(tenancy)
    for member in (tenancy.employee, tenancy.editor):
        participation = Participation.objects.get(membership=member)
        assert participation.is_enrolled
        assert participation.terms == enrolled
        assert selectors.terms_update_pending(member)
    share.refresh_from_db()
    assert share.membership == tenancy.employee
    assert ConsentRecord.objects.count() == records_before  # nobody accepted anything


def test_new_version_asks_only_the_enrolled_to_review(tenancy, enrolled):
    publish(tenancy)
    assert not selectors.terms_update_pending(tenancy.admin)  # never joined
    assert selectors.terms_update_pending(tenancy.employee)


def test_each_enrolled_person_gets_one_notification(tenancy, enrolled):
    services.program_join(membership=tenancy.admin, terms=enrolled)
    outsider_v1 = selectors.terms_current(tenancy.other_org)
    services.program_join(membership=tenancy.outsider, terms=outsider_v1)
    tenancy.employee.user.language = "en"
    tenancy.employee.user.save(update_fields=["language"])

    publish(tenancy)

    notes = Notification.objects.filter(kind=Notification.Kind.TERMS_UPDATED)
    # Not the admin who published, not who left, not another organisation.
    assert sorted(n.user_id for n in notes) == sorted(
        [tenancy.employee.user_id, tenancy.editor.user_id]
    )
    note = notes.get(user=tenancy.employee.user)
    assert note.organisation == tenancy.org
    assert note.link == terms_url(tenancy.org)
    assert tenancy.org.name in note.subject
    assert "version 2" in note.body
    assert note.deliver_after is not None


def test_notifications_wait_for_working_hours(tenancy, enrolled):
    """Through notification_hold: someone with no working days is never e-mailed."""
    user = tenancy.employee.user
    user.work_days = ""
    user.save(update_fields=["work_days"])
    publish(tenancy)
    note = Notification.objects.get(user=user, kind=Notification.Kind.TERMS_UPDATED)
    assert note.channel == "in_app"
    assert note.delivered_at is not None


def test_accepting_the_new_version(tenancy, enrolled):
    v2 = publish(tenancy)
    services.program_join(membership=tenancy.employee, terms=v2)
    participation = Participation.objects.get(membership=tenancy.employee)
    assert participation.terms == v2
    assert not selectors.terms_update_pending(tenancy.employee)
    assert selectors.terms_update_pending(tenancy.editor)
    record = ConsentRecord.objects.filter(subject=tenancy.employee.consent_ref).last()
    assert (record.action, record.terms_version, record.terms_sha256) == (
        "accepted",
        2,
        v2.sha256,
    )


def test_only_the_current_version_can_be_accepted(tenancy, enrolled):
    publish(tenancy)
    newcomer = MembershipFactory(organisation=tenancy.org)
    with pytest.raises(services.TermsNotCurrentError):
        services.program_join(membership=newcomer, terms=enrolled)
    with pytest.raises(services.TermsNotCurrentError):
        services.program_join(membership=tenancy.employee, terms=enrolled)
    assert not selectors.is_enrolled(newcomer)
    assert not ConsentRecord.objects.filter(subject=newcomer.consent_ref).exists()


def test_leaving_under_an_older_version_records_that_version(tenancy, enrolled):
    publish(tenancy)
    services.program_leave(membership=tenancy.editor)
    record = ConsentRecord.objects.filter(subject=tenancy.editor.consent_ref).last()
    assert (record.action, record.terms_version, record.terms_sha256) == (
        "left",
        1,
        enrolled.sha256,
    )


# --- The pages ----------------------------------------------------------------------------


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org)


def test_the_banner_and_the_review_page(tenancy, enrolled, employee_client):
    publish(tenancy, offer_en="Offer number two")
    html = employee_client.get(feed_url(tenancy.org)).content.decode()
    assert 'class="banner"' in html
    assert f'href="{terms_url(tenancy.org)}"' in html

    response = employee_client.get(terms_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Offer number two" in html
    assert 'name="version" value="2"' in html
    assert "Accept version 2" in html
    assert f'action="/o/{tenancy.org.code}/program/leave/"' in html
    assert f'href="{version_url(tenancy.org, 1)}"' in html
    checkbox = re.search(r'<input type="checkbox"[^>]*name="accept"[^>]*>', html)
    assert checkbox is not None
    assert "checked" not in checkbox.group(0)


def test_accepting_through_the_page(tenancy, enrolled, employee_client):
    publish(tenancy)
    response = employee_client.post(join_url(tenancy.org), {"version": "2", "accept": "1"})
    assert response.status_code == 302
    assert not selectors.terms_update_pending(tenancy.employee)
    html = employee_client.get(feed_url(tenancy.org)).content.decode()
    assert 'class="banner"' not in html
    record = ConsentRecord.objects.filter(subject=tenancy.employee.consent_ref).last()
    assert record.action == "accepted"


def test_accepting_needs_the_box(tenancy, enrolled, employee_client):
    publish(tenancy)
    response = employee_client.post(join_url(tenancy.org), {"version": "2"})
    assert response["Location"] == terms_url(tenancy.org)
    assert selectors.terms_update_pending(tenancy.employee)


def test_a_version_published_while_reading_is_not_accepted_unseen(
    tenancy, enrolled, employee_client, monkeypatch
):
    """The version number matches when the page is checked, but a newer one is published
    before the acceptance is written: the service refuses, nothing is recorded."""
    v2 = publish(tenancy)
    real = services.program_join

    def racing_join(**kwargs):
        publish(tenancy)  # version 3, published in between
        return real(**kwargs)

    monkeypatch.setattr(services, "program_join", racing_join)
    response = employee_client.post(join_url(tenancy.org), {"version": "2", "accept": "1"})
    assert response["Location"] == terms_url(tenancy.org)
    assert Participation.objects.get(membership=tenancy.employee).terms == enrolled
    assert not ConsentRecord.objects.filter(terms_version=v2.version).exists()


def test_any_member_may_read_any_published_version(tenancy, employee_client):
    publish(tenancy, offer_es="Oferta dos", offer_en="Offer two")
    old = employee_client.get(version_url(tenancy.org, 1), HTTP_ACCEPT_LANGUAGE="en")
    assert old.status_code == 200
    v1 = Terms.objects.get(organisation=tenancy.org, version=1)
    assert v1.text("en").offer in old.content.decode()
    assert v1.sha256 in old.content.decode()
    assert "This is not the current version" in old.content.decode()
    new = employee_client.get(version_url(tenancy.org, 2), HTTP_ACCEPT_LANGUAGE="en")
    assert "Offer two" in new.content.decode()
    assert "This is not the current version" not in new.content.decode()


def test_unknown_or_foreign_versions_are_404(tenancy, employee_client):
    TermsFactory(
        organisation=tenancy.other_org,
        version=2,
        texts={"en": {"offer": "Foreign offer", "commitment": "Foreign commitment"}},
    )
    assert employee_client.get(version_url(tenancy.org, 2)).status_code == 404
    assert employee_client.get(version_url(tenancy.org, 0)).status_code == 404


# --- The admin page -----------------------------------------------------------------------


def test_manage_page_is_for_admins_only(tenancy, editor_client, employee_client, admin_client):
    assert editor_client.get(manage_url(tenancy.org)).status_code == 403
    assert employee_client.get(manage_url(tenancy.org)).status_code == 403
    assert (
        employee_client.post(manage_url(tenancy.org), {**NEW_TEXTS, "confirm": "1"}).status_code
        == 403
    )
    assert admin_client.get(manage_url(tenancy.org)).status_code == 200
    assert Terms.objects.filter(organisation=tenancy.org).count() == 1


def test_manage_page_is_prefilled_and_lists_versions(tenancy, admin_client):
    v2 = publish(tenancy, offer_en="Offer & more")
    response = admin_client.get(manage_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.context["form"].initial["offer_en"] == "Offer & more"
    assert "Offer &amp; more</textarea>" in html
    assert "Publish as version 3" in html
    v1 = Terms.objects.get(organisation=tenancy.org, version=1)
    for terms in (v1, v2):
        assert terms.sha256 in html
        assert f'href="{version_url(tenancy.org, terms.version)}"' in html
    assert f'href="/o/{tenancy.org.code}/program/ledger.csv"' in html
    assert f'href="/o/{tenancy.org.code}/program/ledger.json"' in html


def test_publishing_needs_the_confirmation(tenancy, admin_client):
    response = admin_client.post(manage_url(tenancy.org), NEW_TEXTS)
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert Terms.objects.filter(organisation=tenancy.org).count() == 1


def test_publishing_through_the_page(tenancy, admin_client, enrolled):
    response = admin_client.post(manage_url(tenancy.org), {**NEW_TEXTS, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == manage_url(tenancy.org)
    current = selectors.terms_current(tenancy.org)
    assert current.version == 2
    assert current.texts == NEW
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TERMS_PUBLISHED).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.TERMS_UPDATED).count() == 2


def test_publishing_unchanged_text_through_the_page(tenancy, admin_client):
    current = selectors.terms_current(tenancy.org)
    data = fields_from_texts(current.texts)
    response = admin_client.post(manage_url(tenancy.org), {**data, "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Terms.objects.filter(organisation=tenancy.org).count() == 1


@pytest.mark.parametrize("field", list(NEW_TEXTS))
def test_every_text_is_required(tenancy, admin_client, field):
    data = {**NEW_TEXTS, field: "   ", "confirm": "on"}
    response = admin_client.post(manage_url(tenancy.org), data)
    assert field in response.context["form"].errors
    assert Terms.objects.filter(organisation=tenancy.org).count() == 1


def test_terms_page_links_admins_to_the_manage_page(tenancy, admin_client, employee_client):
    assert (
        f'href="{manage_url(tenancy.org)}"'
        in admin_client.get(terms_url(tenancy.org)).content.decode()
    )
    assert (
        manage_url(tenancy.org) not in employee_client.get(terms_url(tenancy.org)).content.decode()
    )
