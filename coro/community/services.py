"""Creating, changing and deleting common goals (see ``selectors`` for the privacy rules)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.community.models import Goal
from coro.community.selectors import team_big_enough
from coro.orgs.models import Membership, Organisation, Team


def _team_check(*, organisation: Organisation, team: Team | None) -> None:
    """Rule (a): a team goal needs a team of at least the organisation's smallest group."""
    if team is None:
        return
    if team.organisation_id != organisation.pk:
        raise ValidationError({"team": _("Choose one of your organisation's teams.")}, code="team")
    if not team_big_enough(team, organisation):
        raise ValidationError(
            {
                "team": _(
                    "%(team)s has fewer than %(size)s active members. Goals are shown only "
                    "for groups of at least %(size)s people, so nobody's activity stands "
                    "out: choose the whole company or a bigger team."
                )
                % {"team": team.name, "size": organisation.min_group_size}
            },
            code="team_too_small",
        )


def _validate(goal: Goal) -> None:
    """Every problem at once: the model's own checks and the group-size rule."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        goal.full_clean()
    except ValidationError as exc:
        exc.update_error_dict(errors)
    try:
        _team_check(organisation=goal.organisation, team=goal.team)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _audited(goal: Goal) -> dict[str, Any]:
    """The goal as the audit trail keeps it ("team" is "" for the whole company)."""
    return {
        "title": goal.title,
        "target": goal.target,
        "team": goal.team.name if goal.team else "",
        "metric": goal.metric,
        "link_prefix": goal.link_prefix,
        "starts_on": goal.starts_on.isoformat(),
        "ends_on": goal.ends_on.isoformat(),
    }


def _goal_audit(
    goal: Goal, actor: Membership, before: dict[str, Any], after: dict[str, Any]
) -> None:
    audit_record(
        organisation=goal.organisation,
        actor=actor,
        action=AuditEntry.Action.GOAL_CHANGED,
        before=before,
        after=after,
    )


def goal_create(
    *,
    organisation: Organisation,
    actor: Membership,
    title: str,
    metric: str,
    team: Team | None,
    link_prefix: str,
    target: int,
    starts_on: date,
    ends_on: date,
) -> Goal:
    goal = Goal(
        organisation=organisation,
        title=title.strip(),
        metric=metric,
        team=team,
        link_prefix=link_prefix.strip(),
        target=target,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    with transaction.atomic():
        _validate(goal)
        goal.save()
        _goal_audit(goal, actor, before={}, after=_audited(goal))
    return goal


def goal_update(
    *,
    goal: Goal,
    actor: Membership,
    title: str,
    metric: str,
    team: Team | None,
    link_prefix: str,
    target: int,
    starts_on: date,
    ends_on: date,
) -> Goal:
    """Change a goal. A team goal is checked against the group-size rule again, so a goal of
    a team that has shrunk can be kept only by moving it to the company or a bigger team.
    The audit trail gets the fields that changed, if any."""
    with transaction.atomic():
        # "Before" comes from the stored row: a bound ModelForm may already have set the new
        # values on ``goal``.
        stored = Goal.objects.select_for_update().filter(pk=goal.pk).first()
        if stored is None:
            raise ValidationError(_("This goal was deleted a moment ago."), code="gone")
        before = _audited(stored)
        goal.title = title.strip()
        goal.metric = metric
        goal.team = team
        goal.link_prefix = link_prefix.strip()
        goal.target = target
        goal.starts_on = starts_on
        goal.ends_on = ends_on
        goal.updated_at = timezone.now()
        _validate(goal)
        goal.save(
            update_fields=[
                "title",
                "metric",
                "team",
                "link_prefix",
                "target",
                "starts_on",
                "ends_on",
                "updated_at",
            ]
        )
        after = _audited(goal)
        changed = [field for field in after if after[field] != before[field]]
        if changed:
            _goal_audit(
                goal,
                actor,
                before={field: before[field] for field in changed},
                after={field: after[field] for field in changed},
            )
    return goal


def goal_delete(*, goal: Goal, actor: Membership) -> None:
    with transaction.atomic():
        stored = Goal.objects.select_for_update().filter(pk=goal.pk).first()
        if stored is None:
            return  # deleted a moment ago by someone else: recorded then
        _goal_audit(stored, actor, before=_audited(stored), after={})
        stored.delete()
