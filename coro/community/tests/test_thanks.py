"""The thank-you board names only people who chose to appear (charter rule 3)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coro.community.months import day_start, month_key, month_previous
from coro.community.selectors import (
    current_month,
    organisation_zone,
    thanks_board,
)
from coro.content.models import Post
from coro.orgs.models import Membership
from coro.orgs.selectors import credited_name
from testing.factories import MembershipFactory, PostFactory, ShareFactory

pytestmark = pytest.mark.django_db


def english_client(tenancy) -> Client:
    """An employee's client that asks for English pages (the assertions read English texts;
    Spanish is the default language)."""
    client = tenancy.client_for(tenancy.employee.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def person(org, name: str, *, opted: bool) -> Membership:
    return MembershipFactory.create(organisation=org, user__name=name, recognition_opt_in=opted)


def url(tenancy, month: str | None = None) -> str:
    base = f"/o/{tenancy.org.code}/thanks/"
    return f"{base}?month={month}" if month else base


def mid_last_month(org):
    this = current_month(org)
    return day_start(month_previous(this) + timedelta(days=14), organisation_zone(org))


def names_in(html: str, name: str) -> bool:
    first = name.split()[0]
    return (
        name in html
        or escape(name) in html
        or re.search(rf"(?<!\w){re.escape(escape(first))}(?!\w)", html) is not None
    )


@pytest.fixture
def board_org(tenancy):
    """Opted-in and not opted-in people who shared and proposed this month."""
    org = tenancy.org
    marta = person(org, "Marta Valls", opted=True)
    pablo = person(org, "Pablo Hidalgo", opted=False)
    dora = person(org, "Dora Baja", opted=True)
    dora.deactivated_at = dora.created_at
    dora.save()
    for m in (marta, pablo, dora):
        ShareFactory.create(post=PostFactory.create(organisation=org), membership=m)
    PostFactory.create(organisation=org, proposed_by=marta, title="Jornada de puertas abiertas")
    PostFactory.create(organisation=org, proposed_by=pablo, title="Propuesta de Pablo")
    PostFactory.create(
        organisation=org,
        proposed_by=marta,
        title="Borrador pendiente",
        status=Post.Status.IN_REVIEW,
        published_at=None,
    )
    return {"marta": marta, "pablo": pablo, "dora": dora}


def test_only_people_who_opted_in_are_named(tenancy, board_org):
    html = english_client(tenancy).get(url(tenancy)).content.decode()
    assert names_in(html, "Marta Valls")
    assert "Jornada de puertas abiertas" in html
    assert "Shared company posts" in html
    # Not opted in, or no longer an active member: never named, nor their proposal's title.
    for name in ("Pablo Hidalgo", "Dora Baja"):
        assert not names_in(html, name), name
    assert "Propuesta de Pablo" not in html
    assert "Borrador pendiente" not in html  # not accepted (yet)


def test_nobody_is_counted_apart_and_absence_does_not_show(tenancy, board_org):
    html = english_client(tenancy).get(url(tenancy)).content.decode()
    listed = re.findall(r'class="card thanks-person"', html)
    assert len(listed) == 1
    assert not re.search(r"\bothers?\b|\botros?\b", html)
    board = html.split('id="thanks"', 1)[1].split('id="who-appears"', 1)[0]
    words = re.sub(r"<[^>]*>", " ", board)
    assert "Marta Valls" in words
    assert not re.search(r"\d", words), words  # no counts per person, no ranks


def test_alphabetical_and_never_ordered_by_amount(tenancy):
    org = tenancy.org
    zoe = person(org, "Zoe Zapata", opted=True)
    alvaro = person(org, "Álvaro Abad", opted=True)
    bea = person(org, "Bea Bonet", opted=True)
    for _ in range(5):
        ShareFactory.create(post=PostFactory.create(organisation=org), membership=zoe)
    ShareFactory.create(post=PostFactory.create(organisation=org), membership=alvaro)
    PostFactory.create(organisation=org, proposed_by=bea, title="Una idea")
    board = thanks_board(org, current_month(org))
    assert [t.name for t in board.people] == ["Álvaro Abad", "Bea Bonet", "Zoe Zapata"]
    assert board.people[1].proposals == ("Una idea",)
    assert not board.people[1].shared
    html = english_client(tenancy).get(url(tenancy)).content.decode()
    assert html.index("Álvaro Abad") < html.index("Bea Bonet") < html.index("Zoe Zapata")


def test_months_navigation(tenancy):
    org = tenancy.org
    org.created_at = org.created_at - timedelta(days=120)
    org.save()
    marta = person(org, "Marta Valls", opted=True)
    last = mid_last_month(org)
    ShareFactory.create(
        post=PostFactory.create(organisation=org), membership=marta, created_at=last
    )
    client = english_client(tenancy)
    this = current_month(org)
    previous = month_key(month_previous(this))

    now_html = client.get(url(tenancy)).content.decode()
    assert "Marta Valls" not in now_html
    assert "No thank-yous yet this month." in now_html
    assert f"?month={previous}" in now_html
    assert 'rel="next"' not in now_html  # nothing after the current month

    then = client.get(url(tenancy, previous))
    assert then.status_code == 200
    then_html = then.content.decode()
    assert "Marta Valls" in then_html
    assert f"?month={month_key(this)}" in then_html  # the next link


def test_no_previous_month_before_the_organisation_existed(tenancy):
    org = tenancy.org
    this = current_month(org)
    org.created_at = day_start(this, organisation_zone(org)) + timedelta(hours=1)
    org.save()
    assert thanks_board(org, this).previous is None
    org.created_at = mid_last_month(org)
    org.save()
    assert thanks_board(org, this).previous == month_previous(this)
    assert thanks_board(org, month_previous(this)).previous is None


@pytest.mark.parametrize("month", ["2026-13", "nope", "26-1", "2026-1x", "0001-01", "2026-00"])
def test_a_bad_month_gets_a_message_not_an_error(tenancy, month):
    client = english_client(tenancy)
    response = client.get(url(tenancy, month), follow=True)
    assert response.status_code == 200
    assert "Months look like 2026-11" in response.content.decode()


def test_a_future_month_goes_to_this_month(tenancy):
    client = english_client(tenancy)
    response = client.get(url(tenancy, "2999-01"))
    assert response.status_code == 302
    assert response["Location"] == url(tenancy)


def test_empty_state_explains_and_links_to_the_switch(tenancy):
    client = english_client(tenancy)
    html = client.get(url(tenancy)).content.decode()
    assert "No thank-yous yet this month." in html
    assert "Only people who chose to appear are named" in html
    switch = reverse("privacy:transparency", args=[tenancy.org.code]) + "#recognition"
    assert f'href="{switch}"' in html
    assert "You&#x27;re not on it" in html or "You're not on it" in html
    tenancy.employee.recognition_opt_in = True
    tenancy.employee.save()
    html = client.get(url(tenancy)).content.decode()
    assert "You&#x27;re on it" in html or "You're on it" in html


def test_credited_name():
    member = MembershipFactory.build(user__name="  Marta Valls ", recognition_opt_in=True)
    assert credited_name(member) == "Marta Valls"
    member.recognition_opt_in = False
    assert credited_name(member) is None
    member.recognition_opt_in = True
    member.deactivated_at = timezone.now()
    assert credited_name(member) is None
    assert credited_name(None) is None


def test_shares_of_another_organisation_do_not_count(tenancy):
    marta = person(tenancy.org, "Marta Valls", opted=True)
    ShareFactory.create(post=PostFactory.create(organisation=tenancy.other_org), membership=marta)
    assert thanks_board(tenancy.org, current_month(tenancy.org)).people == ()
