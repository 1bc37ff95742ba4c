"""The admins' page for how often team figures are published and how private they are."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from coro.analytics import continual, selectors
from coro.analytics.models import HORIZON, ReleasePeriod, ReleasePolicy, ReleaseYear
from coro.analytics.services import SENSITIVITY, release_make
from coro.audit.models import AuditEntry
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.tests.test_pages import FORMAL, _visible_text
from testing.factories import MembershipFactory, TeamFactory


def page_url(org) -> str:
    return f"/o/{org.code}/figures/settings/"


def preview_url(org) -> str:
    return f"/o/{org.code}/figures/settings/preview/"


def save_url(org) -> str:
    return f"/o/{org.code}/figures/settings/save/"


def no_noise(scale: float) -> int:
    return 0


def expected_margin(period: ReleasePeriod, epsilon: str) -> int:
    horizon = HORIZON[period]
    sensitivity = 1 if horizon == 1 else SENSITIVITY
    return continual.year_error_bound(
        continual.node_scale(float(epsilon), sensitivity, horizon), horizon
    )


def margins(html: str, table: str) -> dict[str, list[tuple[int, int]]]:
    """group key -> [(± people, ± points)] per column, from the table with id ``table``."""
    body = re.search(rf'id="{table}".*?<tbody>(.*?)</tbody>', html, re.DOTALL)
    assert body is not None, table
    rows = re.findall(r'<tr data-group="([^"]+)">(.*?)</tr>', body.group(1), re.DOTALL)
    return {
        key: [
            (int(m), int(p))
            for m, p in re.findall(r'data-margin="(\d+)" data-points="(\d+)"', cells)
        ]
        for key, cells in rows
    }


def audit_entries(org):
    return AuditEntry.objects.filter(
        organisation=org, action=AuditEntry.Action.RELEASES_CHANGED
    ).count()


@pytest.fixture
def teams(tenancy):
    """Ventas 12 people, Taller 6, Diseño 2; with the 3 of the tenancy (no team), the two
    small groups make "Other" (5)."""
    made = {}
    for name, size in {"Ventas": 12, "Taller": 6, "Diseño": 2}.items():
        made[name] = TeamFactory(organisation=tenancy.org, name=name)
        MembershipFactory.create_batch(size, organisation=tenancy.org, team=made[name])
    return made


# --- Who may see it ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_the_page_renders_for_admins_in_every_language(tenancy, teams, language):
    response = tenancy.client_for(tenancy.admin.user).get(
        page_url(tenancy.org), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'id="in-effect-groups"' in html
    assert f'action="/o/{tenancy.org.code}/figures/settings/preview/#preview"' in html


@pytest.mark.parametrize("role", ["editor", "employee"])
def test_editors_and_employees_may_neither_see_nor_change_it(tenancy, role):
    client = tenancy.client_for(getattr(tenancy, role).user)
    data = {"period": "monthly", "epsilon_year": "2.00", "confirm": "on"}
    assert client.get(page_url(tenancy.org)).status_code == 403
    assert client.post(preview_url(tenancy.org), data).status_code == 403
    assert client.post(save_url(tenancy.org), data).status_code == 403
    assert not ReleasePolicy.objects.filter(organisation=tenancy.org).exists()
    assert audit_entries(tenancy.org) == 0


def test_the_page_only_takes_get_and_the_steps_only_post(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    assert client.post(page_url(tenancy.org)).status_code == 405
    assert client.get(preview_url(tenancy.org)).status_code == 405
    assert client.get(save_url(tenancy.org)).status_code == 405


def test_admins_find_the_page_from_the_dashboard_and_the_settings(tenancy):
    admin = tenancy.client_for(tenancy.admin.user)
    editor = tenancy.client_for(tenancy.editor.user)
    link = f'href="{page_url(tenancy.org)}"'
    for url in (f"/o/{tenancy.org.code}/dashboard/", f"/o/{tenancy.org.code}/settings/"):
        assert link in admin.get(url).content.decode(), url
        assert link not in editor.get(url).content.decode(), url


# --- What is in effect -------------------------------------------------------------------


def test_without_a_release_the_policy_is_in_effect_and_nothing_is_created(tenancy, teams):
    response = tenancy.client_for(tenancy.admin.user).get(
        page_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    state = response.context["state"]
    assert state.in_effect.period == ReleasePeriod.WEEKLY
    assert state.in_effect.epsilon_year == Decimal("1.00")
    assert state.applies_from is None
    assert not state.pending
    html = response.content.decode()
    assert "right at most 73 % of the time" in html
    assert "A change applies from the next release." in html
    # Reading the page changes nothing: no policy row, no year fixed.
    assert not ReleasePolicy.objects.filter(organisation=tenancy.org).exists()
    assert not ReleaseYear.objects.filter(organisation=tenancy.org).exists()


def test_accuracy_per_team_is_the_year_error_bound_before_any_release(tenancy, teams):
    html = (
        tenancy.client_for(tenancy.admin.user)
        .get(page_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    k = expected_margin(ReleasePeriod.WEEKLY, "1.00")
    sizes = {f"t:{teams['Ventas'].code}": 12, f"t:{teams['Taller'].code}": 6, "other": 5}
    assert margins(html, "in-effect-groups") == {
        key: [(k, round(100 * k / size))] for key, size in sizes.items()
    }
    # Biggest first, "Other" last; the small team is never named.
    assert list(margins(html, "in-effect-groups")) == list(sizes)
    assert "Diseño" not in html
    assert f'data-margin="{k}"' in html


def test_accuracy_per_team_follows_the_latest_release(tenancy, teams):
    ReleasePolicy.objects.create(
        organisation=tenancy.org, period=ReleasePeriod.YEARLY, epsilon_year=Decimal("1.00")
    )
    release = release_make(organisation=tenancy.org, noise=no_noise)
    # A team created after the release is not part of its groups.
    TeamFactory(organisation=tenancy.org, name="Nuevo")
    html = (
        tenancy.client_for(tenancy.admin.user)
        .get(page_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    release_year = ReleaseYear.objects.get(organisation=tenancy.org, year=release.year)
    k = continual.year_error_bound(release_year.node_scale, release_year.horizon)
    assert k == expected_margin(ReleasePeriod.YEARLY, "1.00") == 2
    shown = {
        g["key"]: int(g["size"])
        for g in release.figures["groups"]
        if int(g["size"]) >= tenancy.org.min_group_size
    }
    assert margins(html, "in-effect-groups") == {
        key: [(k, round(100 * k / size))] for key, size in shown.items()
    }


def test_a_small_organisation_shows_no_teams(tenancy):
    TeamFactory(organisation=tenancy.org, name="Ventas")
    response = tenancy.client_for(tenancy.admin.user).get(
        page_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="in-effect-groups"' not in html
    assert "Numbers by team appear once the organisation has at least 5 people" in html


# --- Preview -----------------------------------------------------------------------------


def test_preview_saves_nothing_and_shows_both_totals_and_the_lower_privacy(tenancy, teams):
    response = tenancy.client_for(tenancy.admin.user).post(
        preview_url(tenancy.org),
        {"period": "weekly", "epsilon_year": "2.00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="current-epsilon">1.00<' in html
    assert 'id="proposed-epsilon">2.00<' in html
    assert 'id="flag-less-private"' in html
    assert "88 % of the time, instead of 73 %" in html
    assert 'id="flag-more-often"' not in html
    assert 'name="confirm"' in html
    assert not ReleasePolicy.objects.filter(organisation=tenancy.org).exists()
    assert audit_entries(tenancy.org) == 0
    # The accuracy of each team, now and as proposed.
    now, proposed = (
        expected_margin(ReleasePeriod.WEEKLY, "1.00"),
        expected_margin(ReleasePeriod.WEEKLY, "2.00"),
    )
    rows = margins(html, "preview-groups")
    assert rows[f"t:{teams['Ventas'].code}"] == [
        (now, round(100 * now / 12)),
        (proposed, round(100 * proposed / 12)),
    ]


def test_preview_flags_more_frequent_releases(tenancy, teams):
    response = tenancy.client_for(tenancy.admin.user).post(
        preview_url(tenancy.org), {"period": "daily", "epsilon_year": "1.00"}
    )
    html = response.content.decode()
    assert 'id="flag-more-often"' in html
    assert 'id="flag-less-private"' not in html


def test_preview_of_more_privacy_and_fewer_releases_raises_no_flag(tenancy):
    response = tenancy.client_for(tenancy.admin.user).post(
        preview_url(tenancy.org), {"period": "yearly", "epsilon_year": "0.50"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview-flags"' not in html
    assert 'name="confirm"' in html


def test_preview_of_the_chosen_settings_offers_nothing_to_save(tenancy):
    response = tenancy.client_for(tenancy.admin.user).post(
        preview_url(tenancy.org), {"period": "weekly", "epsilon_year": "1"}
    )
    html = response.content.decode()
    assert 'id="preview-unchanged"' in html
    assert 'name="confirm"' not in html


def test_the_selector_computes_the_numbers(tenancy, teams):
    preview = selectors.release_settings_preview(
        tenancy.org, period=ReleasePeriod.MONTHLY, epsilon_year=Decimal("2.00")
    )
    scale = continual.node_scale(2.0, SENSITIVITY, 12)
    assert preview.proposed.node_scale == scale
    assert preview.proposed.margin == continual.year_error_bound(scale, 12) == 13
    assert preview.proposed.epsilon_release == continual.release_epsilon(scale)
    assert preview.proposed.guess_percent == 88
    assert preview.current.guess_percent == 73
    assert preview.less_private and not preview.more_often and not preview.unchanged
    assert preview.applies_from is None
    assert [(g.group.size, g.proposed.points) for g in preview.groups] == [
        (12, round(1300 / 12)),
        (6, round(1300 / 6)),
        (5, 260),
    ]
    # Once a year: one release, so one person moves it by at most 1.
    yearly = selectors.release_settings_of(
        period=ReleasePeriod.YEARLY, epsilon_year=Decimal("1.00"), groups=[]
    )
    assert yearly.node_scale == continual.node_scale(1.0, 1, 1)
    assert yearly.margin == 2


# --- Saving ------------------------------------------------------------------------------


def test_confirming_saves_and_audits_once(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(
        save_url(tenancy.org),
        {"period": "monthly", "epsilon_year": "0.75", "confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(tenancy.org)
    policy = ReleasePolicy.objects.get(organisation=tenancy.org)
    assert (policy.period, policy.epsilon_year) == ("monthly", Decimal("0.75"))
    [entry] = AuditEntry.objects.filter(organisation=tenancy.org)
    assert entry.action == AuditEntry.Action.RELEASES_CHANGED
    assert entry.actor_ref == tenancy.admin.code
    assert entry.before == {"period": "weekly", "epsilon_year": "1.00"}
    assert entry.after == {"period": "monthly", "epsilon_year": "0.75"}
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "They apply from the next release." in html
    assert page.context["state"].in_effect.period == ReleasePeriod.MONTHLY
    assert not page.context["state"].pending


def test_saving_without_the_box_ticked_saves_nothing(tenancy):
    response = tenancy.client_for(tenancy.admin.user).post(
        save_url(tenancy.org),
        {"period": "monthly", "epsilon_year": "2.00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick the box to save the settings you previewed." in html
    assert 'id="flag-less-private"' in html  # the preview is shown again
    assert not ReleasePolicy.objects.filter(organisation=tenancy.org).exists()
    assert audit_entries(tenancy.org) == 0


def test_after_this_years_first_release_a_change_applies_from_1_january(tenancy, teams):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    release = release_make(organisation=tenancy.org, noise=no_noise)
    next_year = date(release.year + 1, 1, 1)
    client = tenancy.client_for(tenancy.admin.user)

    preview = client.post(
        preview_url(tenancy.org),
        {"period": "yearly", "epsilon_year": "2.00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert preview.context["preview"].applies_from == next_year
    with translation.override("en"):
        shown = date_format(next_year, "DATE_FORMAT")
    assert f'id="proposed-applies">From {shown}<' in preview.content.decode()

    saved = client.post(
        save_url(tenancy.org),
        {"period": "yearly", "epsilon_year": "2.00", "confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = saved.content.decode()
    assert f"They apply from {shown}" in html
    state = saved.context["state"]
    # This year keeps what it started with; the choice waits for 1 January.
    assert (state.in_effect.period, state.in_effect.epsilon_year) == ("weekly", Decimal("1.00"))
    assert (state.chosen.period, state.chosen.epsilon_year) == ("yearly", Decimal("2.00"))
    assert state.pending and state.applies_from == next_year
    assert 'id="pending-change"' in html
    year = ReleaseYear.objects.get(organisation=tenancy.org, year=timezone.localdate().year)
    assert (year.period, year.epsilon_year) == ("weekly", Decimal("1.00"))
    assert audit_entries(tenancy.org) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"period": "weekly", "epsilon_year": "0.1"},
        {"period": "weekly", "epsilon_year": "5"},
        {"period": "weekly", "epsilon_year": "abc"},
        {"period": "weekly", "epsilon_year": "0.27"},
        {"period": "weekly", "epsilon_year": "1.005"},
        {"period": "weekly", "epsilon_year": ""},
        {"period": "hourly", "epsilon_year": "1.00"},
        {"period": "", "epsilon_year": "1.00"},
    ],
    ids=[
        "too-low",
        "too-high",
        "not-a-number",
        "off-step",
        "too-precise",
        "empty",
        "hourly",
        "no-period",
    ],
)
@pytest.mark.parametrize("step", ["preview", "save"])
def test_invalid_input_is_refused_and_nothing_saved(tenancy, data, step):
    url = preview_url(tenancy.org) if step == "preview" else save_url(tenancy.org)
    response = tenancy.client_for(tenancy.admin.user).post(
        url, {**data, "confirm": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert response.context["preview"] is None
    assert 'name="confirm"' not in html
    assert not ReleasePolicy.objects.filter(organisation=tenancy.org).exists()
    assert audit_entries(tenancy.org) == 0


def test_an_epsilon_error_says_what_is_allowed(tenancy):
    response = tenancy.client_for(tenancy.admin.user).post(
        preview_url(tenancy.org),
        {"period": "weekly", "epsilon_year": "5"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Enter a number from 0.25 to 2.00, in steps of 0.05." in response.content.decode()


@pytest.mark.parametrize("language", ["es", "ca"])
def test_pages_and_errors_speak_in_one_register(tenancy, language):
    client = tenancy.client_for(tenancy.admin.user)
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    responses = [
        client.get(page_url(tenancy.org), **header),
        client.post(preview_url(tenancy.org), {"period": "x", "epsilon_year": "abc"}, **header),
        client.post(preview_url(tenancy.org), {"period": "daily", "epsilon_year": "2"}, **header),
        client.post(save_url(tenancy.org), {"period": "daily", "epsilon_year": "2"}, **header),
    ]
    for response in responses:
        found = FORMAL[language].findall(_visible_text(response.content.decode()))
        assert not found, (response.request["PATH_INFO"], found)
