"""Common goals in the audit trail: setting, changing and deleting a goal each write one
entry (changes: only the fields that changed), in the same transaction as the change."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from coro.audit.models import AuditEntry
from coro.community import services
from coro.community.models import Goal
from testing.factories import GoalFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GOAL_CHANGED = AuditEntry.Action.GOAL_CHANGED


def goals_url(tenancy, tail: str = "") -> str:
    return f"/o/{tenancy.org.code}/goals/{tail}"


def form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Visitas a empleo",
        "metric": "visits",
        "team": "",
        "link_prefix": "https://empresa.example/empleo",
        "target": "2000",
        "starts_on": "2030-03-01",
        "ends_on": "2030-03-31",
    }
    data.update(changes)
    return data


def audit_row(tenancy) -> str:
    """The newest goal row of the audit page, as the admin sees it."""
    html = tenancy.client_for(tenancy.admin.user).get(f"/o/{tenancy.org.code}/audit/", **EN)
    assert html.status_code == 200
    found = re.search(r'<tr data-action="goal_changed">(.*?)</tr>', html.content.decode(), re.S)
    assert found, "no goal row on the audit page"
    return found.group(1)


def test_setting_a_goal_is_recorded(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    assert client.post(goals_url(tenancy, "new/"), form()).status_code == 302
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert entry.action == GOAL_CHANGED
    assert (entry.actor_ref, entry.target_ref, entry.reason) == (tenancy.editor.code, "", "")
    assert entry.before == {}
    assert entry.after == {
        "title": "Visitas a empleo",
        "target": 2000,
        "team": "",
        "metric": "visits",
        "link_prefix": "https://empresa.example/empleo",
        "starts_on": "2030-03-01",
        "ends_on": "2030-03-31",
    }
    row = audit_row(tenancy)
    assert "Eva Editora" in row
    assert "Common goal changed" in row
    assert "goal: — → Visitas a empleo" in row
    assert "target: — → 2000" in row
    assert "what counts: — → Visits through shared links" in row
    assert "first day: — → 2030-03-01" in row


def test_a_team_goal_names_the_team(tenancy):
    team = TeamFactory.create(organisation=tenancy.org, name="Ventas")
    MembershipFactory.create_batch(tenancy.org.min_group_size, organisation=tenancy.org, team=team)
    client = tenancy.client_for(tenancy.editor.user)
    assert client.post(goals_url(tenancy, "new/"), form(team=str(team.pk))).status_code == 302
    assert AuditEntry.objects.get(organisation=tenancy.org).after["team"] == "Ventas"
    assert "team: — → Ventas" in audit_row(tenancy)


def test_changing_a_goal_records_only_what_changed(tenancy):
    goal = GoalFactory.create(
        organisation=tenancy.org,
        title="Antes",
        target=50,
        link_prefix="https://empresa.example/empleo",
        starts_on=date(2030, 3, 1),
        ends_on=date(2030, 3, 31),
    )
    client = tenancy.client_for(tenancy.admin.user)
    url = goals_url(tenancy, f"{goal.code}/edit/")
    assert client.post(url, form(title="Después", target="75")).status_code == 302
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert (entry.action, entry.actor_ref) == (GOAL_CHANGED, tenancy.admin.code)
    assert entry.before == {"title": "Antes", "target": 50}
    assert entry.after == {"title": "Después", "target": 75}
    row = audit_row(tenancy)
    assert "goal: Antes → Después" in row
    assert "target: 50 → 75" in row
    assert "first day" not in row

    # Saving it again unchanged records nothing.
    assert client.post(url, form(title="Después", target="75")).status_code == 302
    assert AuditEntry.objects.filter(organisation=tenancy.org).count() == 1


def test_a_refused_change_records_nothing(tenancy):
    goal = GoalFactory.create(organisation=tenancy.org, title="Antes")
    small = TeamFactory.create(organisation=tenancy.org, name="Taller")
    client = tenancy.client_for(tenancy.editor.user)
    refused = client.post(goals_url(tenancy, f"{goal.code}/edit/"), form(team=str(small.pk)))
    assert refused.status_code == 400
    assert not AuditEntry.objects.filter(organisation=tenancy.org).exists()


def test_deleting_a_goal_is_recorded(tenancy):
    goal = GoalFactory.create(
        organisation=tenancy.org,
        title="Borrable",
        target=300,
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 1, 31),
    )
    client = tenancy.client_for(tenancy.editor.user)
    assert client.get(goals_url(tenancy, f"{goal.code}/delete/")).status_code == 200
    assert not AuditEntry.objects.exists()  # asking is not deleting
    assert client.post(goals_url(tenancy, f"{goal.code}/delete/")).status_code == 302
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert (entry.action, entry.actor_ref) == (GOAL_CHANGED, tenancy.editor.code)
    assert entry.before == {
        "title": "Borrable",
        "target": 300,
        "team": "",
        "metric": "visits",
        "link_prefix": "",
        "starts_on": "2030-01-01",
        "ends_on": "2030-01-31",
    }
    assert entry.after == {}
    assert "goal: Borrable → —" in audit_row(tenancy)
    # Deleting what is already gone records nothing more.
    services.goal_delete(goal=goal, actor=tenancy.editor)
    assert AuditEntry.objects.count() == 1


def test_the_entry_is_written_with_the_change_or_neither(tenancy, monkeypatch):
    """Same transaction: if the entry cannot be written, the goal is not changed."""

    def broken(**kwargs):
        raise ValidationError("audit trail unavailable")

    goal = GoalFactory.create(organisation=tenancy.org, title="Antes", target=50)
    monkeypatch.setattr(services, "audit_record", broken)
    values = {**form(), "target": 2000, "team": None}
    values["starts_on"] = date(2030, 3, 1)
    values["ends_on"] = date(2030, 3, 31)
    with pytest.raises(ValidationError):
        services.goal_create(organisation=tenancy.org, actor=tenancy.editor, **values)
    with pytest.raises(ValidationError):
        services.goal_update(goal=goal, actor=tenancy.editor, **values)
    with pytest.raises(ValidationError):
        services.goal_delete(goal=goal, actor=tenancy.editor)
    assert list(Goal.objects.values_list("title", "target")) == [("Antes", 50)]
