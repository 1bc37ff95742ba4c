"""Team figures are periodic releases (coro/analytics/services.py), never live counts.

- Nothing a page or export shows about participation changes when someone joins, until
  the next release; asking for a release twice in one period gives the same release.
- No page or export shows an exact participation: counts read "about N", rates "about",
  "under" or "over", never an exact 0 % or 100 %.
- Moving a person between teams, and back, changes no participant figure.
- A person's joins and leaves are clamped: one join and one leave a year are counted;
  people erased stop counting.
- The demo company publishes yearly, and its figures show its teams' differences.
"""

import csv
import io
import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from coro.analytics.continual import Noise
from coro.analytics.models import (
    ReflectedStatus,
    Release,
    ReleaseIncrement,
    ReleaseNode,
    ReleasePeriod,
    ReleaseYear,
)
from coro.analytics.services import release_make, releases_due
from coro.orgs.models import Membership, Organisation, Role, Team
from coro.people.services import membership_update
from coro.privacy.services import account_erase
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing.models import Click, Share
from coro.sharing.services import click_record, share_get_or_create
from coro.site import demo
from testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    TeamFactory,
    TermsFactory,
)

MADRID = ZoneInfo("Europe/Madrid")
# The first day of 2026's 10th weekly step (steps count 7-day weeks from 1 January, a
# Thursday); the releases below are a week apart.
T0 = datetime(2026, 3, 5, 10, 0, tzinfo=MADRID)
WEEK = timedelta(days=7)


def no_noise(scale: float) -> int:
    """Zero noise: the estimate is the exact clamped count (tests only)."""
    return 0


def seeded_noise(seed: int) -> Noise:
    """A reproducible discrete Laplace sampler: P(k) ∝ exp(-|k| / scale), as the
    difference of two geometric draws. For tests only: published figures use OpenDP's."""
    rng = random.Random(seed)

    def draw(scale: float) -> int:
        log_alpha = -1.0 / scale

        def geometric() -> int:
            return math.floor(math.log(1.0 - rng.random()) / log_alpha)

        return geometric() - geometric()

    return draw


def strip_csrf(text: str) -> str:
    """The page minus its CSRF tokens, which Django masks afresh on every response."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", text)


def section(html: str, element_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.DOTALL)
    assert found is not None, element_id
    return found.group(0)


def release_table(html: str) -> dict[str, tuple[str, str, str]]:
    """{group name: (members, taking part, rate)} of every release table on the page."""
    rows = re.findall(
        r'<tr[^>]*data-group="[^"]*"><th scope="row">(.*?)</th>'
        r'<td class="num">(.*?)</td><td class="num" data-col="participants">(.*?)</td>'
        r'<td class="num" data-col="rate">(.*?)</td></tr>',
        html,
    )
    return {name: (size, participants, rate) for name, size, participants, rate in rows}


# --- An organisation with two teams -------------------------------------------------------


def organisation_with_teams(
    taking_part: dict[str, tuple[int, int]], name: str = "Azulejos Prueba"
) -> tuple[Organisation, dict[str, list[Membership]]]:
    """Teams of ``{name: (members, of whom the first ones take part)}``, terms published.
    The last member of the first team is an admin, of the second an editor (everyone is
    in a team: a "no team" group smaller than 5 would pull a small team into "Other")."""
    organisation = OrganisationFactory(name=name)
    TermsFactory(organisation=organisation)
    terms = terms_current(organisation)
    people: dict[str, list[Membership]] = {}
    last_role = [Role.ADMIN, Role.EDITOR]
    for index, (team_name, (size, joined)) in enumerate(taking_part.items()):
        team = TeamFactory(organisation=organisation, name=team_name)
        roles = [Role.EMPLOYEE] * (size - 1) + (last_role[index : index + 1] or [Role.EMPLOYEE])
        members = [
            MembershipFactory(organisation=organisation, team=team, role=role) for role in roles
        ]
        for member in members[:joined]:
            program_join(membership=member, terms=terms)
        people[team_name] = members
    first, second = list(taking_part)[:2]
    people["admin"], people["editor"] = [people[first][-1]], [people[second][-1]]
    return organisation, people


def join(member: Membership) -> None:
    program_join(membership=member, terms=terms_current(member.organisation))


def client_for(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


# --- 1. Nothing changes until the next release --------------------------------------------


PAGES = {
    # (viewer, url, what must not move: the whole response, or one section of it)
    "dashboard as admin": ("admin", "dashboard/", None),
    "dashboard as editor": ("editor", "dashboard/", None),
    "dashboard CSV as admin": ("admin", "dashboard.csv", None),
    "dashboard CSV as editor": ("editor", "dashboard.csv", None),
    # Someone else's transparency page: nothing on it is about the person who joins.
    "transparency page of a colleague": ("colleague", "me/", None),
    # The joiner's own page lists their own joining in the ledger; the figures must not move.
    "transparency page of the person who joins": ("joiner", "me/", "totals"),
}


@pytest.fixture
def watched(db):
    organisation, people = organisation_with_teams({"Ventas": (6, 3), "Taller": (5, 1)})
    viewers = {
        "admin": people["admin"][0],
        "editor": people["editor"][0],
        "colleague": people["Taller"][0],
        "joiner": people["Ventas"][4],
    }
    return organisation, viewers


@pytest.mark.parametrize("where", list(PAGES))
def test_a_join_shows_only_at_the_next_release(watched, where):
    organisation, viewers = watched
    viewer, path, part = PAGES[where]
    client = client_for(viewers[viewer])
    url = f"/o/{organisation.code}/{path}"

    def load() -> str:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        text = strip_csrf(response.content.decode("utf-8-sig"))
        return section(text, part) if part else text

    first = release_make(organisation=organisation, now=T0, noise=no_noise)
    stored = (Release.objects.count(), ReleaseNode.objects.count())
    before = load()
    join(viewers["joiner"])
    after = load()
    assert after == before  # byte for byte
    # Loading pages computes nothing: no release, no noise drawn.
    assert (Release.objects.count(), ReleaseNode.objects.count()) == stored

    second = release_make(organisation=organisation, now=T0 + WEEK, noise=no_noise)
    assert second.pk != first.pk
    assert second.released_at == T0 + WEEK
    published = load()
    assert published != after
    if path == "dashboard.csv":
        assert "2026-03-05" in after and "2026-03-05" not in published
        assert "release_team,Ventas,2026-03-12,6,about 4," in published
    else:
        assert "Figures published on March 5, 2026" in after
        assert "Figures published on March 12, 2026" in published
        assert release_table(published)["Ventas"] == ("6", "about 4", "about 60 %")
        assert release_table(after)["Ventas"] == ("6", "about 3", "about 60 %")


def test_asking_again_in_the_same_period_gives_the_same_release(watched):
    organisation, viewers = watched
    first = release_make(organisation=organisation, now=T0, noise=seeded_noise(1))
    nodes = list(ReleaseNode.objects.order_by("pk").values_list("series", "noisy_sum"))
    join(viewers["joiner"])
    # Later the same week, with other noise: the stored release, nothing drawn again.
    for now, noise in [(T0, seeded_noise(2)), (T0 + timedelta(days=2), no_noise)]:
        again = release_make(organisation=organisation, now=now, noise=noise)
        assert again.pk == first.pk
        assert again.figures == first.figures
        assert again.released_at == T0
    assert releases_due(now=T0 + timedelta(hours=1)) == 0
    assert list(ReleaseNode.objects.order_by("pk").values_list("series", "noisy_sum")) == nodes
    assert Release.objects.filter(organisation=organisation).count() == 1


def test_before_the_first_release_no_page_shows_a_participation_figure(watched):
    organisation, viewers = watched
    for viewer in ["admin", "editor", "colleague"]:
        path = "me/" if viewer == "colleague" else "dashboard/"
        html = (
            client_for(viewers[viewer])
            .get(f"/o/{organisation.code}/{path}", HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )
        assert "will be published at the next scheduled release" in html, viewer
        assert 'id="total-participants"' not in html
        assert "people in the program" not in html
        assert release_table(html) == {}
    exported = client_for(viewers["editor"]).get(f"/o/{organisation.code}/dashboard.csv")
    assert "release" not in exported.content.decode("utf-8-sig")


# --- 2. No exact participation anywhere ---------------------------------------------------


EXACT_EXTREME = re.compile(r"(?<![\d.,])(?:0|100)\s?%")
APPROXIMATE_COUNT = re.compile(r"about \d+|few or none|all or nearly all")
APPROXIMATE_RATE = re.compile(r"(?:about|under|over) \d+ %")


def figures_everywhere(
    organisation: Organisation, people: dict[str, list[Membership]]
) -> list[tuple[str, str, str, str, str]]:
    """(where, group, members, taking part, rate) of every figure about participation on
    the dashboard (admin, editor), a transparency page and the CSV; the group "total" is
    the number of people in the program."""
    admin, editor = people["admin"][0], people["editor"][0]
    seen = []
    for where, member, path in [
        ("dashboard (admin)", admin, "dashboard/"),
        ("dashboard (editor)", editor, "dashboard/"),
        ("transparency", people["Taller"][0], "me/"),
    ]:
        html = (
            client_for(member)
            .get(f"/o/{organisation.code}/{path}", HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )
        total = re.search(
            r'id="total-participants" title="(.*?)">≈ \d+</div><div class="stat-label">'
            r'people in the program, approximately <span class="muted">\((.*?)\)</span>',
            html,
        )
        assert total is not None, where
        seen.append((where, "total", "", total.group(1), total.group(2)))
        seen += [(where, name, *cells) for name, cells in release_table(html).items()]
        assert not EXACT_EXTREME.search(html), where
    exported = client_for(editor).get(
        f"/o/{organisation.code}/dashboard.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = exported.content.decode("utf-8-sig")
    assert not EXACT_EXTREME.search(text)
    for row in csv.DictReader(io.StringIO(text)):
        if row["section"] in {"release", "release_team"}:
            group = "total" if row["section"] == "release" else row["name"]
            figures = (row["participants_approx"], row["participation_approx"])
            seen.append(("CSV", group, row["members"], *figures))
    return seen


def test_with_zero_noise_every_figure_still_reads_as_approximate(db):
    """Ventas: everyone takes part; Taller: nobody; Diseño: half. Zero noise makes the
    estimates exact, and still no page says 100 %, 0 % or a bare count."""
    organisation, people = organisation_with_teams(
        {"Ventas": (6, 6), "Taller": (5, 0), "Diseño": (6, 3)}
    )
    release_make(organisation=organisation, now=T0, noise=no_noise)
    seen = figures_everywhere(organisation, people)
    assert {where for where, *_ in seen} == {
        "dashboard (admin)",
        "dashboard (editor)",
        "transparency",
        "CSV",
    }
    for where, name, size, count, rate in seen:
        # Members follow the directory, which is public; only the CSV has a total's.
        assert size.isdigit() or (name == "total" and where != "CSV"), (where, name, size)
        assert APPROXIMATE_COUNT.fullmatch(count), (where, name, count)
        assert APPROXIMATE_RATE.fullmatch(rate), (where, name, rate)
    rates = {(where, name): rate for where, name, _size, _count, rate in seen}
    assert rates[("dashboard (admin)", "Ventas")] == "over 80 %"
    assert rates[("dashboard (admin)", "Taller")] == "under 20 %"
    assert rates[("CSV", "Ventas")] == "over 80 %"
    assert rates[("CSV", "Taller")] == "under 20 %"
    assert rates[("transparency", "Diseño")] == "about 60 %"  # 3 of 6: 50 % rounds up
    # 9 of 17 people: 53 %, to the nearest 10 % for a group of 10 or more.
    assert rates[("dashboard (editor)", "total")] == rates[("CSV", "total")] == "about 50 %"


def test_pages_show_the_release_estimate_not_the_exact_count(db):
    """Every noise draw +1: the release at step 10 (nodes 3:1 and 1:5) shows two more
    than the truth (Ventas: 4 of 8 take part, 6 are shown; Taller: 2 of 5, 4 shown). Every
    page and export shows the release's estimates, none the exact count."""
    organisation, people = organisation_with_teams({"Ventas": (8, 4), "Taller": (5, 2)})
    release_make(organisation=organisation, now=T0, noise=lambda scale: 1)
    seen = figures_everywhere(organisation, people)
    shown = {(where, name): (count, rate) for where, name, _size, count, rate in seen}
    for where in ["dashboard (admin)", "dashboard (editor)", "transparency", "CSV"]:
        assert shown[(where, "Ventas")] == ("about 6", "about 80 %")  # exact: 4, 50 %
        assert shown[(where, "Taller")] == ("about 4", "about 80 %")  # exact: 2, 40 %
    # 6 take part; the release shows the sum of its group estimates, 6 + 4 (+ an empty
    # "Other", clamped to 0).
    assert {count for _w, name, _s, count, _r in seen if name == "total"} == {"about 10"}


# --- 3. Moving a person between teams, and back, changes no figure ----------------------


@dataclass
class World:
    releases: list[dict[str, dict[str, int]]]  # each release's groups, by team name
    drawn: list[tuple[str, int, int, int]]  # the noisy tree nodes: (group, level, index, sum)
    increments: list[tuple[str, int, int]]  # the exact increments: (group, step, value)


def world(name: str, *, moves: bool) -> World:
    """Three weekly releases of an organisation whose participant in Ventas moves to
    Taller after the first and back after the second (``moves``), or stays; the same
    seeded noise in both worlds."""
    organisation, people = organisation_with_teams({"Ventas": (6, 4), "Taller": (6, 2)}, name=name)
    teams = {t.name: t for t in Team.objects.filter(organisation=organisation)}
    mover, admin = people["Ventas"][0], people["admin"][0]
    noise = seeded_noise(7)
    releases = [release_make(organisation=organisation, now=T0, noise=noise)]
    for step, team in enumerate(["Taller", "Ventas"], start=1):
        if moves:
            membership_update(membership=mover, role=mover.role, team=teams[team], actor=admin)
        releases.append(release_make(organisation=organisation, now=T0 + step * WEEK, noise=noise))

    codes = {f"t:{team.code}": team.name for team in teams.values()}

    def group(key: str) -> str:
        key = key.removeprefix("participants:")
        return codes.get(key, key)

    mine = {"organisation": organisation}
    return World(
        releases=[
            {
                group(g["key"]): {"size": g["size"], "participants": g["participants"]}
                for g in release.figures["groups"]
            }
            for release in releases
        ],
        drawn=sorted(
            (group(series), level, index, noisy)
            for series, level, index, noisy in ReleaseNode.objects.filter(**mine).values_list(
                "series", "level", "index", "noisy_sum"
            )
        ),
        increments=sorted(
            (group(series), step, value)
            for series, step, value in ReleaseIncrement.objects.filter(**mine).values_list(
                "series", "step", "value"
            )
        ),
    )


def test_moving_a_participant_and_back_changes_no_participant_figure(db):
    """The mover counts in Ventas, where they joined, wherever they are. The two worlds
    draw the same noise for the same nodes of the same increments; a published count is
    the noisy sum clamped to [0, the group's size], and the size follows the directory,
    which is public: so while the person is away, a count may differ only where the clamp
    to the (public) size bites; after they are back, every figure is equal."""
    moved = world("Se mueve", moves=True)
    stayed = world("Se queda", moves=False)
    assert moved.increments == stayed.increments
    assert moved.drawn == stayed.drawn
    # One node a step, steps 1 to 12, for Ventas, Taller and "other".
    assert len(moved.drawn) == 12 * 3
    assert moved.releases[0] == stayed.releases[0]
    assert moved.releases[2] == stayed.releases[2]
    away, home = moved.releases[1], stayed.releases[1]
    assert (away["Ventas"]["size"], away["Taller"]["size"]) == (5, 7)
    assert (home["Ventas"]["size"], home["Taller"]["size"]) == (6, 6)
    for name in home:
        smaller = min(away[name]["size"], home[name]["size"])
        assert min(away[name]["participants"], smaller) == min(home[name]["participants"], smaller)


def test_with_zero_noise_the_participants_stay_put_across_the_moves(db):
    organisation, people = organisation_with_teams({"Ventas": (6, 4), "Taller": (6, 2)})
    teams = {t.name: t for t in Team.objects.filter(organisation=organisation)}
    mover, admin = people["Ventas"][0], people["admin"][0]
    seen = [release_make(organisation=organisation, now=T0, noise=no_noise)]
    for step, team in enumerate(["Taller", "Ventas"], start=1):
        membership_update(membership=mover, role=mover.role, team=teams[team], actor=admin)
        seen.append(release_make(organisation=organisation, now=T0 + step * WEEK, noise=no_noise))
    participants = [
        {g["name"]: g["participants"] for g in release.figures["groups"]} for release in seen
    ]
    assert participants[0] == participants[1] == participants[2]
    assert participants[0]["Ventas"] == 4
    sizes = [{g["name"]: g["size"] for g in release.figures["groups"]} for release in seen]
    assert [(s["Ventas"], s["Taller"]) for s in sizes] == [(6, 6), (5, 7), (6, 6)]


def test_shares_and_visits_keep_the_team_they_happened_in(db):
    organisation, people = organisation_with_teams({"Ventas": (6, 4), "Taller": (6, 2)})
    ventas, taller = Team.objects.get(name="Ventas"), Team.objects.get(name="Taller")
    sharer, admin = people["Ventas"][0], people["admin"][0]
    post = PostFactory(organisation=organisation)
    share = share_get_or_create(post=post, membership=sharer, network="linkedin")
    before_move = click_record(share=share)
    membership_update(membership=sharer, role=sharer.role, team=taller, actor=admin)
    after_move = click_record(share=Share.objects.get(pk=share.pk))
    # The same link, asked for again, keeps the team it was made in.
    assert share_get_or_create(post=post, membership=sharer, network="linkedin").pk == share.pk
    assert Share.objects.get(pk=share.pk).team == ventas
    assert Click.objects.get(pk=before_move.pk).team == ventas
    assert Click.objects.get(pk=after_move.pk).team == taller  # the team at the visit
    membership_update(membership=sharer, role=sharer.role, team=ventas, actor=admin)
    assert Click.objects.get(pk=after_move.pk).team == taller


# --- 4. Clamping: one join and one leave a year -----------------------------------------


def increments(organisation: Organisation, year: int, group: str) -> dict[int, int]:
    return dict(
        ReleaseIncrement.objects.filter(
            organisation=organisation, year=year, series=f"participants:{group}"
        ).values_list("step", "value")
    )


def test_a_person_moves_the_counts_once_each_way_a_year(db):
    organisation, people = organisation_with_teams({"Ventas": (6, 2), "Taller": (5, 0)})
    person = people["Ventas"][4]
    group = f"t:{person.team.code}"

    def release(at: datetime) -> int:
        made = release_make(organisation=organisation, now=at, noise=no_noise)
        return next(g["participants"] for g in made.figures["groups"] if g["key"] == group)

    def status(year: int) -> tuple[bool, int]:
        row = ReflectedStatus.objects.get(membership=person, year=year)
        return row.counted, row.changes

    assert release(T0) == 2  # step 10 of 2026
    join(person)
    assert release(T0 + WEEK) == 3
    assert status(2026) == (True, 1)
    program_leave(membership=person)
    assert release(T0 + 2 * WEEK) == 2
    assert status(2026) == (False, 2)
    join(person)
    # The third change is not reflected this year: no increment, the exact count is 3.
    assert release(T0 + 3 * WEEK) == 2
    assert status(2026) == (False, 2)
    assert increments(organisation, 2026, group) == {10: 2, 11: 1, 12: -1}
    program_leave(membership=person)
    join(person)
    assert release(T0 + 4 * WEEK) == 2
    assert increments(organisation, 2026, group) == {10: 2, 11: 1, 12: -1}

    # The next year starts afresh: its first release counts everyone taking part.
    assert release(datetime(2027, 1, 5, 10, 0, tzinfo=MADRID)) == 3
    assert status(2027) == (True, 1)
    assert status(2026) == (False, 2)
    assert increments(organisation, 2027, group) == {1: 3}
    assert ReleaseYear.objects.filter(organisation=organisation).count() == 2


def ventas(release: Release) -> int:
    return next(g["participants"] for g in release.figures["groups"] if g["name"] == "Ventas")


def test_people_erased_between_two_releases_all_stop_counting(db):
    """Each erased person's status row (its membership gone) is reflected on its own."""
    organisation, people = organisation_with_teams({"Ventas": (6, 4), "Taller": (5, 0)})
    assert ventas(release_make(organisation=organisation, now=T0, noise=no_noise)) == 4
    account_erase(user=people["Ventas"][0].user)
    account_erase(user=people["Ventas"][1].user)
    assert ventas(release_make(organisation=organisation, now=T0 + WEEK, noise=no_noise)) == 2
    rows = ReflectedStatus.objects.filter(organisation=organisation, membership=None)
    assert sorted(rows.values_list("counted", "changes")) == [(False, 2), (False, 2)]


def test_people_erased_one_release_apart_all_stop_counting(db):
    organisation, people = organisation_with_teams({"Ventas": (6, 4), "Taller": (5, 0)})
    assert ventas(release_make(organisation=organisation, now=T0, noise=no_noise)) == 4
    # The later status row first: an erased row already reflected must not hide the other.
    account_erase(user=people["Ventas"][1].user)
    assert ventas(release_make(organisation=organisation, now=T0 + WEEK, noise=no_noise)) == 3
    account_erase(user=people["Ventas"][0].user)
    assert ventas(release_make(organisation=organisation, now=T0 + 2 * WEEK, noise=no_noise)) == 2


# --- 6. The demo company --------------------------------------------------------------------


def rate_rank(text: str) -> int:
    """Order rate texts: "under 20 %" < "about 20 %" < ... < "about 80 %" < "over 80 %"."""
    word, number, _percent = text.split()
    return int(number) + {"under": -5, "about": 0, "over": 5}[word]


def demo_dashboard() -> str:
    organisation = Organisation.objects.get(name=demo.ORGANISATION)
    admin = Membership.objects.get(organisation=organisation, user__email=demo.LOGINS[0].email)
    response = client_for(admin).get(
        f"/o/{organisation.code}/dashboard/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_demo_publishes_yearly_approximate_figures_for_its_teams(db):
    organisation = demo.load_demo()
    [release] = Release.objects.filter(organisation=organisation)
    assert release.period == ReleasePeriod.YEARLY
    html = demo_dashboard()
    assert "Figures published on" in html
    table = release_table(section(html, "participation-by-team"))
    assert set(table) == set(demo.TEAMS)
    for size, participants, rate in table.values():
        assert size.isdigit()
        assert APPROXIMATE_COUNT.fullmatch(participants)
        assert APPROXIMATE_RATE.fullmatch(rate)
    total = re.search(r'id="total-participants" title="(.*?)">(.*?)<', html)
    assert APPROXIMATE_COUNT.fullmatch(total.group(1))
    assert re.fullmatch(r"≈ \d+", total.group(2))


def test_the_demo_shows_marketing_taking_part_more_than_produccion(db, monkeypatch):
    monkeypatch.setattr(demo, "release_make", partial(release_make, noise=no_noise))
    demo.load_demo()
    table = release_table(section(demo_dashboard(), "participation-by-team"))
    most = max(demo.TAKING_PART, key=demo.TAKING_PART.__getitem__)
    least = min(demo.TAKING_PART, key=demo.TAKING_PART.__getitem__)
    assert (most, least) == ("Marketing", "Producción")
    assert rate_rank(table[most][2]) > rate_rank(table[least][2])
