"""My impact (issue 11, item 7): each person sees their own tracked links and the visits they
brought, read from the rollups, and nobody else ever sees them (charter rules 3 and 7)."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coro.analytics.models import ShareVisits
from coro.analytics.rollups import rollup_run
from coro.privacy.selectors import IMPACT_PAGE_SIZE
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing.models import Click, Preview, Share
from testing.factories import (
    ClickFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    ShareFactory,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def impact_url(org) -> str:
    return reverse("privacy:impact", args=[org.code])


def get(client, url: str) -> str:
    response = client.get(url, **ENGLISH)
    assert response.status_code == 200, url
    return response.content.decode()


def listed(page: str) -> list[str]:
    """The codes of the tracked links the page lists, in order."""
    return re.findall(r'<tr data-share="([^"]+)">', page)


def row(page: str, code: str) -> list[str]:
    found = re.search(rf'<tr data-share="{code}">(.*?)</tr>', page, re.S)
    assert found, code
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def stat(page: str, stat_id: str) -> str:
    found = re.search(rf'id="{stat_id}">([^<]*)<', page)
    assert found, stat_id
    return found.group(1)


def visits(share: Share, count: int, previews: int = 0) -> None:
    ClickFactory.create_batch(count, share=share)
    Preview.objects.bulk_create([Preview(share=share) for _ in range(previews)])


@pytest.fixture
def shared(tenancy):
    """The employee passed on two posts (one to two networks), the admin and the editor one
    each; visits and previews on all of them, added up by the rollups."""
    org = tenancy.org
    feria = PostFactory(organisation=org, title="Feria de cerámica")
    tienda = PostFactory(organisation=org, title="Nueva tienda")
    mine = {
        "feria_x": ShareFactory(post=feria, membership=tenancy.employee, network="x"),
        "feria_li": ShareFactory(post=feria, membership=tenancy.employee, network="linkedin"),
        "tienda": ShareFactory(post=tienda, membership=tenancy.employee, network="mastodon"),
    }
    visits(mine["feria_x"], 3, previews=2)
    visits(mine["feria_li"], 1)
    admins = ShareFactory(post=tienda, membership=tenancy.admin, network="x")
    editors = ShareFactory(post=feria, membership=tenancy.editor, network="bluesky")
    visits(admins, 7, previews=5)
    visits(editors, 11)
    rollup_run()
    return {**mine, "admin": admins, "editor": editors}


# --- Who sees what ------------------------------------------------------------------------


def test_the_url_names_nobody():
    """Only the organisation is in the address: there is no way to ask for someone else's."""
    assert reverse("privacy:impact", args=["abc"]) == "/o/abc/me/impact/"


def test_the_person_sees_their_own_links_with_their_visits(tenancy, shared):
    page = get(tenancy.client_for(tenancy.employee.user), impact_url(tenancy.org))
    mine = [shared["tienda"], shared["feria_li"], shared["feria_x"]]  # newest first
    assert listed(page) == [s.code for s in mine]
    assert row(page, shared["feria_x"].code)[:2] == ["Feria de cerámica", "X"]
    assert row(page, shared["feria_x"].code)[3:] == ["3", "2"]
    assert row(page, shared["feria_li"].code)[1:2] == ["LinkedIn"]
    assert row(page, shared["feria_li"].code)[3:] == ["1", "0"]
    assert row(page, shared["tienda"].code)[3:] == ["0", "0"]  # no visit yet
    assert (stat(page, "impact-links"), stat(page, "impact-visits")) == ("3", "4")
    assert stat(page, "impact-previews") == "2"  # counted apart, never added to visits


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_admins_and_editors_see_only_their_own(tenancy, shared, who):
    member = getattr(tenancy, who)
    page = get(tenancy.client_for(member.user), impact_url(tenancy.org))
    assert listed(page) == [shared[who].code]
    assert stat(page, "impact-visits") == str(ShareVisits.objects.get(share=shared[who]).visits)
    for code in (shared["feria_x"].code, shared["feria_li"].code, shared["tienda"].code):
        assert code not in page


def test_no_parameter_shows_someone_elses(tenancy, shared):
    client = tenancy.client_for(tenancy.admin.user)
    employee = tenancy.employee
    for query in (
        f"?membership={employee.pk}",
        f"?member={employee.code}",
        f"?user={employee.user.pk}",
        f"?page=1&membership={employee.pk}",
    ):
        page = get(client, impact_url(tenancy.org) + query)
        assert listed(page) == [shared["admin"].code], query


def test_the_page_names_no_one_else(tenancy, shared):
    page = get(tenancy.client_for(tenancy.employee.user), impact_url(tenancy.org))
    for other in (tenancy.admin, tenancy.editor, tenancy.outsider):
        assert other.user.name not in page
        assert other.user.email not in page
        assert other.code not in page
    # Nor anyone's figures but the person's: the colleagues' 7 and 11 visits are nowhere.
    assert not re.search(r">\s*(7|11|18|22)\s*<", page)


def test_says_that_nobody_else_sees_it_and_how_fresh_it_is(tenancy, shared):
    page = get(tenancy.client_for(tenancy.employee.user), impact_url(tenancy.org))
    only_you = html.unescape(re.sub(r"<[^>]+>", "", page[page.index('id="only-you"') :]))
    assert "Only you see this page." in only_you
    assert "not even admins or editors" in only_you
    assert "updated every few minutes" in page
    assert "counted apart" in page


def test_each_organisation_shows_its_own_links(tenancy, shared):
    """The same person in another organisation: that organisation's links only."""
    other = OrganisationFactory()
    there = MembershipFactory(organisation=other, user=tenancy.employee.user)
    theirs = ShareFactory(post=PostFactory(organisation=other), membership=there)
    visits(theirs, 5)
    rollup_run()
    client = tenancy.client_for(tenancy.employee.user)
    assert listed(get(client, impact_url(other))) == [theirs.code]
    assert theirs.code not in get(client, impact_url(tenancy.org))


def test_outsider_gets_404(tenancy, shared):
    client = tenancy.client_for(tenancy.outsider.user)
    assert client.get(impact_url(tenancy.org)).status_code == 404


def test_anonymous_is_sent_to_login(client, tenancy):
    response = client.get(impact_url(tenancy.org))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deactivated_member_gets_the_deactivated_page(tenancy, shared):
    tenancy.employee.deactivated_at = timezone.now()
    tenancy.employee.save()
    response = tenancy.client_for(tenancy.employee.user).get(impact_url(tenancy.org))
    assert response.status_code == 403
    assert shared["feria_x"].code not in response.content.decode()


# --- What is counted ----------------------------------------------------------------------


def test_figures_come_from_the_rollups_not_the_raw_visits(tenancy, shared):
    client = tenancy.client_for(tenancy.employee.user)
    # A visit not yet added up shows once the rollups have run (every few minutes).
    ClickFactory(share=shared["tienda"])
    page = get(client, impact_url(tenancy.org))
    assert row(page, shared["tienda"].code)[3] == "0"
    rollup_run()
    page = get(client, impact_url(tenancy.org))
    assert row(page, shared["tienda"].code)[3] == "1"
    assert stat(page, "impact-visits") == "5"
    # Raw visits pruned after VISITS_KEEP_DAYS: the person's figures stay.
    Click.objects.all().delete()
    Preview.objects.all().delete()
    page = get(client, impact_url(tenancy.org))
    assert row(page, shared["feria_x"].code)[3:] == ["3", "2"]
    assert stat(page, "impact-visits") == "5"


def test_links_detached_when_leaving_the_program_are_no_longer_theirs(tenancy, shared):
    employee = tenancy.employee
    program_join(membership=employee, terms=terms_current(tenancy.org))
    program_leave(membership=employee)
    page = get(tenancy.client_for(employee.user), impact_url(tenancy.org))
    assert listed(page) == []
    assert (stat(page, "impact-links"), stat(page, "impact-visits")) == ("0", "0")
    assert stat(page, "impact-previews") == "0"
    assert "no longer listed here" in page
    # The links still count, anonymously, in the organisation's totals.
    assert ShareVisits.objects.get(share=shared["feria_x"]).visits == 3


def test_someone_who_never_shared_sees_an_empty_page_that_does_not_nag(tenancy):
    page = get(tenancy.client_for(tenancy.employee.user), impact_url(tenancy.org))
    assert 'id="impact-empty"' in page
    assert listed(page) == []
    assert "<table" not in page
    assert (stat(page, "impact-links"), stat(page, "impact-visits")) == ("0", "0")
    assert "Nothing here yet" in page


def test_someone_outside_the_program_learns_where_sharing_starts(tenancy):
    page = get(tenancy.client_for(tenancy.employee.user), impact_url(tenancy.org))
    assert 'id="impact-join"' in page
    assert f'href="/o/{tenancy.org.code}/program/"' in page
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    page = get(tenancy.client_for(tenancy.employee.user), impact_url(tenancy.org))
    assert 'id="impact-join"' not in page  # in the program: nothing to point to


def test_twenty_links_a_page(tenancy):
    posts = PostFactory.create_batch(IMPACT_PAGE_SIZE + 5, organisation=tenancy.org)
    shares = [ShareFactory(post=p, membership=tenancy.employee) for p in posts]
    visits(shares[0], 2)  # the oldest: on the second page
    rollup_run()
    client = tenancy.client_for(tenancy.employee.user)
    first = get(client, impact_url(tenancy.org))
    second = get(client, impact_url(tenancy.org) + "?page=2")
    assert len(listed(first)) == IMPACT_PAGE_SIZE and len(listed(second)) == 5
    assert listed(first) + listed(second) == [s.code for s in reversed(shares)]
    assert 'rel="next"' in first and "Page 1 of 2" in first
    assert 'rel="prev"' in second
    # The totals are of every link, whatever the page.
    assert stat(first, "impact-links") == stat(second, "impact-links") == "25"
    assert stat(first, "impact-visits") == "2"
    # Past the end or nonsense: the last or the first page, never an error.
    assert listed(get(client, impact_url(tenancy.org) + "?page=99")) == listed(second)
    assert listed(get(client, impact_url(tenancy.org) + "?page=x")) == listed(first)


def test_a_page_takes_a_few_queries_however_many_links(
    tenancy, django_assert_max_num_queries, client
):
    posts = PostFactory.create_batch(IMPACT_PAGE_SIZE, organisation=tenancy.org)
    for post in posts:
        visits(ShareFactory(post=post, membership=tenancy.employee), 1)
    rollup_run()
    client = tenancy.client_for(tenancy.employee.user)
    get(client, impact_url(tenancy.org))  # warm the session and the caches
    with django_assert_max_num_queries(15):
        page = get(client, impact_url(tenancy.org))
    assert len(listed(page)) == IMPACT_PAGE_SIZE


# --- Where it is linked -------------------------------------------------------------------


def test_linked_from_the_menu_and_the_transparency_page(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    feed = get(client, reverse("content:feed", args=[tenancy.org.code]))
    assert f'href="{impact_url(tenancy.org)}"' in feed
    transparency = get(client, reverse("privacy:transparency", args=[tenancy.org.code]))
    assert f'href="{impact_url(tenancy.org)}"' in transparency
