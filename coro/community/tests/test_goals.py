"""Common goals: who may set them, what is refused, and what everyone sees."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coro.analytics.rollups import rollup_run
from coro.community.models import Goal
from coro.sharing.models import Click
from testing.factories import GoalFactory, MembershipFactory, ShareFactory, TeamFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def goals_url(tenancy, tail: str = "") -> str:
    return f"/o/{tenancy.org.code}/goals/{tail}"


def team_with(tenancy, name: str, size: int):
    team = TeamFactory.create(organisation=tenancy.org, name=name)
    MembershipFactory.create_batch(size, organisation=tenancy.org, team=team)
    return team


def form(**changes) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "title": "Visitas a empleo",
        "metric": "visits",
        "team": "",
        "link_prefix": "https://empresa.example/empleo",
        "target": "2000",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_editors_and_admins_create_goals(tenancy, role):
    client = tenancy.client_for(getattr(tenancy, role).user)
    assert client.get(goals_url(tenancy, "new/")).status_code == 200
    response = client.post(goals_url(tenancy, "new/"), form())
    assert response.status_code == 302
    goal = Goal.objects.get(organisation=tenancy.org)
    assert (goal.title, goal.target, goal.team) == ("Visitas a empleo", 2000, None)
    assert goal.link_prefix == "https://empresa.example/empleo"


def test_employees_see_goals_but_cannot_change_them(tenancy):
    goal = GoalFactory.create(organisation=tenancy.org)
    client = tenancy.client_for(tenancy.employee.user)
    page = client.get(goals_url(tenancy))
    assert page.status_code == 200
    assert goal.title in page.content.decode()
    assert goals_url(tenancy, "new/") not in page.content.decode()
    assert client.get(goals_url(tenancy, "new/")).status_code == 403
    assert client.post(goals_url(tenancy, "new/"), form()).status_code == 403
    assert client.post(goals_url(tenancy, f"{goal.code}/edit/"), form()).status_code == 403
    assert client.post(goals_url(tenancy, f"{goal.code}/delete/")).status_code == 403
    assert Goal.objects.filter(pk=goal.pk, title=goal.title).exists()
    assert Goal.objects.count() == 1


def test_a_team_smaller_than_the_group_size_is_refused(tenancy):
    small = team_with(tenancy, "Taller", tenancy.org.min_group_size - 1)
    client = tenancy.client_for(tenancy.editor.user)
    response = client.post(goals_url(tenancy, "new/"), form(team=str(small.pk)), **EN)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"fewer than {tenancy.org.min_group_size} active members" in text
    assert not Goal.objects.exists()


def test_a_team_big_enough_is_accepted(tenancy):
    team = team_with(tenancy, "Ventas", tenancy.org.min_group_size)
    client = tenancy.client_for(tenancy.editor.user)
    response = client.post(goals_url(tenancy, "new/"), form(team=str(team.pk)))
    assert response.status_code == 302
    assert Goal.objects.get().team == team


def test_a_team_of_another_organisation_is_refused(tenancy):
    foreign = TeamFactory.create(organisation=tenancy.other_org)
    MembershipFactory.create_batch(6, organisation=tenancy.other_org, team=foreign)
    client = tenancy.client_for(tenancy.editor.user)
    response = client.post(goals_url(tenancy, "new/"), form(team=str(foreign.pk)))
    assert response.status_code == 400
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2026-01-01", "starts_on": "2026-02-01"}, "last day can"),
        ({"target": "0"}, "greater than or equal to 1"),
        ({"target": "-5"}, "greater than or equal to 1"),
        ({"target": "mil"}, "Enter a whole number"),
        ({"starts_on": "32/13/2026"}, "Enter a valid date"),
        ({"link_prefix": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"metric": "likes"}, "Select a valid choice"),
        ({"starts_on": "0001-01-01"}, "greater than or equal to"),
        ({"ends_on": "9999-12-31"}, "less than or equal to"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_input_gets_a_clear_message(tenancy, changes, message):
    client = tenancy.client_for(tenancy.editor.user)
    response = client.post(goals_url(tenancy, "new/"), form(**changes), **EN)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Goal.objects.exists()


def test_edit_keeps_what_was_saved_when_refused(tenancy):
    goal = GoalFactory.create(organisation=tenancy.org, title="Antes", target=50)
    small = team_with(tenancy, "Taller", 2)
    client = tenancy.client_for(tenancy.editor.user)
    url = goals_url(tenancy, f"{goal.code}/edit/")
    assert "Antes" in client.get(url).content.decode()
    refused = client.post(url, form(title="Después", team=str(small.pk)))
    assert refused.status_code == 400
    goal.refresh_from_db()
    assert (goal.title, goal.target, goal.team) == ("Antes", 50, None)
    saved = client.post(url, form(title="Después", target="75"))
    assert saved.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.target) == ("Después", 75)


def test_delete_asks_first(tenancy):
    goal = GoalFactory.create(organisation=tenancy.org, title="Borrable")
    client = tenancy.client_for(tenancy.editor.user)
    url = goals_url(tenancy, f"{goal.code}/delete/")
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Borrable" in confirm.content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert client.post(url).status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def big_enough(tenancy) -> None:
    """The tenancy has 3 active members; company figures need ``min_group_size``."""
    MembershipFactory.create_batch(tenancy.org.min_group_size, organisation=tenancy.org)


def test_goals_page_shows_an_accessible_progress_bar(tenancy):
    big_enough(tenancy)
    goal = GoalFactory.create(organisation=tenancy.org, title="Empleo", target=2000)
    share = ShareFactory.create(post__organisation=tenancy.org)
    Click.objects.bulk_create([Click(share=share, at=timezone.now()) for _ in range(1240)])
    rollup_run()  # goals read the rollups, as the periodic job leaves them
    html = tenancy.client_for(tenancy.employee.user).get(goals_url(tenancy), **EN)
    text = html.content.decode()
    assert '<progress class="goal-bar" max="2000" value="1240"' in text
    assert f'aria-labelledby="goal-title-{goal.code}"' in text
    assert "1,240 of 2,000 visits (62 %)" in text
    assert "Updated every few minutes." in text


def test_team_goals_say_up_to_yesterday_and_hide_when_the_team_shrinks(tenancy):
    team = team_with(tenancy, "Ventas", tenancy.org.min_group_size)
    goal = GoalFactory.create(organisation=tenancy.org, team=team, title="Ventas comparte")
    client = tenancy.client_for(tenancy.employee.user)
    text = client.get(goals_url(tenancy), **EN).content.decode()
    assert "Counted up to yesterday" in text
    assert "<progress" in text
    member = team.memberships.first()
    member.deactivated_at = timezone.now()
    member.save()
    text = client.get(goals_url(tenancy), **EN).content.decode()
    assert goal.title in text
    assert "progress is hidden" in text
    assert "<progress" not in text


def test_finished_goals_come_after_current_ones_and_say_ended(tenancy):
    today = timezone.localdate()
    GoalFactory.create(
        organisation=tenancy.org,
        title="Pasado",
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=30),
    )
    GoalFactory.create(organisation=tenancy.org, title="Presente")
    text = tenancy.client_for(tenancy.employee.user).get(goals_url(tenancy), **EN)
    html = text.content.decode()
    assert html.index("Presente") < html.index("Finished goals") < html.index("Pasado")
    assert "Ended" in html


def test_no_individual_figures_on_the_goals_page(tenancy):
    team = team_with(tenancy, "Ventas", tenancy.org.min_group_size)
    GoalFactory.create(organisation=tenancy.org, team=team)
    sharer = team.memberships.first()
    sharer.user.name = "Quintina Zarandeta"
    sharer.user.save()
    ShareFactory.create(post__organisation=tenancy.org, membership=sharer)
    html = tenancy.client_for(tenancy.admin.user).get(goals_url(tenancy)).content.decode()
    assert "Quintina" not in html and "Zarandeta" not in html


def test_a_tiny_organisation_sees_why_company_progress_is_hidden(tenancy):
    assert tenancy.org.min_group_size > 3  # the tenancy's admin, editor and employee
    goal = GoalFactory.create(organisation=tenancy.org, title="Empleo", target=2000)
    share = ShareFactory.create(post__organisation=tenancy.org)
    Click.objects.bulk_create([Click(share=share, at=timezone.now()) for _ in range(7)])
    rollup_run()
    client = tenancy.client_for(tenancy.editor.user)
    text = client.get(goals_url(tenancy), **EN).content.decode()
    assert goal.title in text
    assert "so company progress is hidden" in text
    assert (
        "<progress" not in text and "7 of" not in text and "Updated every few minutes" not in text
    )
    # The form says so before a company goal is set.
    assert (
        "progress stays hidden until you are"
        in client.get(goals_url(tenancy, "new/"), **EN).content.decode()
    )
    big_enough(tenancy)
    text = client.get(goals_url(tenancy), **EN).content.decode()
    assert "7 of 2,000 visits" in text and "progress is hidden" not in text
    assert (
        "progress stays hidden" not in client.get(goals_url(tenancy, "new/"), **EN).content.decode()
    )


def test_the_goal_form_uses_its_own_messages_linked_to_the_fields(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    page = client.get(goals_url(tenancy, "new/"), **EN).content.decode()
    assert "novalidate" in page  # our messages, in the page's language, not the browser's
    assert '<label for="id_title">Title</label>' in page  # no trailing colon
    assert "Title:" not in page and "Target:" not in page
    response = client.post(goals_url(tenancy, "new/"), form(title="", target="mil"), **EN)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist" id="id_title_error">' in html
    assert re.search(r'aria-invalid="true" aria-describedby="[^"]*\bid_title_error"', html)
    assert '<ul class="errorlist" id="id_target_error">' in html
    assert re.search(r'aria-describedby="[^"]*\bid_target_error"[^>]*id="id_target"', html)
