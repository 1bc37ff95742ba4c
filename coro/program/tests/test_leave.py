"""Rule 1: leaving takes effect at once. The ledger records it, in the same transaction as
the change itself, and visits through the person's old links are counted anonymously."""

import pytest

from coro.program import selectors, services
from coro.program.models import ConsentRecord, Participation
from coro.sharing.models import Click, Share
from testing.factories import PostFactory, ShareFactory


@pytest.fixture
def enrolled(tenancy):
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    return tenancy.employee


@pytest.fixture
def shares(tenancy, enrolled):
    post = PostFactory(organisation=tenancy.org)
    mine = [ShareFactory(post=post, membership=enrolled, network=n) for n in ("x", "linkedin")]
    theirs = ShareFactory(post=post, membership=tenancy.editor, network="x")
    return mine, theirs


def test_leaving_records_left_with_the_version_one_had(tenancy, enrolled):
    assert services.program_leave(membership=enrolled) is True
    record = ConsentRecord.objects.order_by("seq").last()
    terms = selectors.terms_current(tenancy.org)
    assert (record.seq, record.subject, record.action, record.channel) == (
        2,
        enrolled.consent_ref,
        "left",
        "web",
    )
    assert (record.terms_version, record.terms_sha256) == (1, terms.sha256)


def test_leaving_twice_records_once(tenancy, enrolled):
    services.program_leave(membership=enrolled)
    assert services.program_leave(membership=enrolled) is False
    assert ConsentRecord.objects.filter(action="left").count() == 1


def test_rejoining_after_leaving_records_joined(tenancy, enrolled):
    services.program_leave(membership=enrolled)
    services.program_join(membership=enrolled, terms=selectors.terms_current(tenancy.org))
    actions = list(ConsentRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["joined", "left", "joined"]


def test_leaving_detaches_ones_links_and_only_ones_own(tenancy, shares):
    mine, theirs = shares
    services.program_leave(membership=tenancy.employee)
    for share in mine:
        share.refresh_from_db()
        assert share.membership is None
    theirs.refresh_from_db()
    assert theirs.membership == tenancy.editor
    assert Share.objects.count() == 3


def test_old_links_keep_working_and_count_anonymously(client, tenancy, shares):
    mine, _ = shares
    services.program_leave(membership=tenancy.employee)
    response = client.get(f"/r/{mine[0].code}", HTTP_USER_AGENT="Mozilla/5.0 Firefox/140")
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"{mine[0].post.link}?utm_source={mine[0].network}&utm_medium=employee_advocacy&utm_campaign="
    )
    click = Click.objects.get()
    assert click.share == mine[0]
    assert click.share.membership is None
    assert not Click.objects.filter(share__membership=tenancy.employee).exists()


def test_sharing_again_after_rejoining_makes_new_links(tenancy, shares, employee_client):
    mine, _ = shares
    services.program_leave(membership=tenancy.employee)
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    post = mine[0].post
    employee_client.post(f"/o/{tenancy.org.code}/posts/{post.code}/share/x/")
    fresh = Share.objects.get(membership=tenancy.employee)
    assert fresh.code != mine[0].code


def test_shares_detach_returns_how_many(tenancy, shares):
    from coro.sharing.services import shares_detach

    assert shares_detach(membership=tenancy.employee) == 2
    assert shares_detach(membership=tenancy.employee) == 0


class Boom(Exception):
    pass


def test_leaving_is_all_or_nothing_when_the_effects_fail(tenancy, shares, monkeypatch):
    def fail(**kwargs):
        raise Boom

    monkeypatch.setattr(services, "program_leave_effects", fail)
    with pytest.raises(Boom):
        services.program_leave(membership=tenancy.employee)
    assert selectors.is_enrolled(tenancy.employee)
    assert not ConsentRecord.objects.filter(action="left").exists()


def test_leaving_is_all_or_nothing_when_the_ledger_fails(tenancy, shares, monkeypatch):
    def fail(**kwargs):
        raise Boom

    monkeypatch.setattr(services, "ledger_append", fail)
    with pytest.raises(Boom):
        services.program_leave(membership=tenancy.employee)
    assert selectors.is_enrolled(tenancy.employee)
    assert Share.objects.filter(membership=tenancy.employee).count() == 2


def test_joining_is_all_or_nothing_when_the_ledger_fails(tenancy, monkeypatch):
    def fail(**kwargs):
        raise Boom

    monkeypatch.setattr(services, "ledger_append", fail)
    with pytest.raises(Boom):
        services.program_join(
            membership=tenancy.employee, terms=selectors.terms_current(tenancy.org)
        )
    assert not Participation.objects.exists()


def test_leaving_through_the_menu_form(tenancy, shares, employee_client):
    """The form in the profile menu of every page: one POST."""
    feed = employee_client.get(f"/o/{tenancy.org.code}/").content.decode()
    assert 'id="leave-program"' in feed
    response = employee_client.post(
        f"/o/{tenancy.org.code}/program/leave/", {"next": f"/o/{tenancy.org.code}/"}
    )
    assert response.status_code == 302
    assert not selectors.is_enrolled(tenancy.employee)
    assert ConsentRecord.objects.filter(action="left").count() == 1
    assert not Share.objects.filter(membership=tenancy.employee).exists()
