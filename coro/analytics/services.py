"""Making releases: the only place where participation is counted, on a fixed schedule.

``release_make`` publishes the organisation's release for the current step of its period
(once: asking again returns the stored one). Participants per group are a stream of
clamped increments (a person counts from their first join of the year until their first
leave after it, in the group of the team they were in when they came in) released with the
binary tree of ``continual.py``: noise is drawn once per tree node and stored, so the yearly
privacy loss of one person stays at the year's budget however often figures are published.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coro.analytics import continual
from coro.analytics.groups import Group, merge_small_groups
from coro.analytics.models import (
    HORIZON,
    ReflectedStatus,
    Release,
    ReleaseIncrement,
    ReleaseNode,
    ReleasePeriod,
    ReleasePolicy,
    ReleaseYear,
)
from coro.analytics.tasks import releases_run
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.core.schedule import schedule_claim
from coro.orgs.models import Membership, Organisation, Team
from coro.program.models import Participation

NO_TEAM = "none"
OTHER = "other"
# Each person moves a year's stream by at most this much: one join, then one leave.
SENSITIVITY = 2


def release_policy_of(organisation: Organisation) -> ReleasePolicy:
    policy, _created = ReleasePolicy.objects.get_or_create(organisation=organisation)
    return policy


def release_policy_update(
    *,
    organisation: Organisation,
    actor: Membership | None,
    period: ReleasePeriod,
    epsilon_year: Decimal,
) -> ReleasePolicy:
    """Change how often figures are published and the yearly budget; audited. It applies
    at once if this year has had no release yet, otherwise from 1 January."""
    with transaction.atomic():
        policy = ReleasePolicy.objects.select_for_update().get(
            pk=release_policy_of(organisation).pk
        )
        before = {"period": policy.period, "epsilon_year": str(policy.epsilon_year)}
        policy.period = period
        policy.epsilon_year = epsilon_year
        policy.full_clean()
        after = {"period": str(period), "epsilon_year": str(policy.epsilon_year)}
        if after == before:
            return policy
        policy.save(update_fields=["period", "epsilon_year"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditEntry.Action.RELEASES_CHANGED,
            before=before,
            after=after,
        )
    return policy


def step_of(day: date, period: str) -> int:
    """The step of the year ``day`` falls in: its release number in the calendar year."""
    day_of_year = day.timetuple().tm_yday
    return {
        ReleasePeriod.DAILY: day_of_year,
        ReleasePeriod.WEEKLY: (day_of_year - 1) // 7 + 1,
        ReleasePeriod.MONTHLY: day.month,
        ReleasePeriod.QUARTERLY: (day.month - 1) // 3 + 1,
        ReleasePeriod.YEARLY: 1,
    }[ReleasePeriod(period)]


def team_groups_by_size(organisation: Organisation) -> tuple[list[Group], dict[str, str]]:
    """Every team (keyed "t:<code>") and "no team", each with its active members, and the
    teams' names by key. Sizes only: admins know them from the People page."""
    teams = dict(Team.objects.filter(organisation=organisation).values_list("code", "name"))
    sizes: dict[str, int] = defaultdict(int)
    members = Membership.objects.active().filter(organisation=organisation)
    for team_code in members.values_list("team__code", flat=True):
        sizes[f"t:{team_code}" if team_code else NO_TEAM] += 1
    groups = [Group(name=f"t:{code}", size=sizes[f"t:{code}"]) for code in teams]
    groups.append(Group(name=NO_TEAM, size=sizes[NO_TEAM]))
    return groups, {f"t:{code}": name for code, name in teams.items()}


def _groups_for_the_year(organisation: Organisation) -> list[dict[str, object]]:
    """Teams big enough to be shown on their own, then "no team", then "other" (the small
    teams, and any team created later in the year). Decided on sizes alone, never on who
    takes part, and fixed for the year."""
    candidates, names = team_groups_by_size(organisation)
    kept = {
        g.name
        for g in merge_small_groups(candidates, organisation.min_group_size)
        if not g.is_other
    }
    groups: list[dict[str, object]] = [
        {"key": key, "name": names.get(key, ""), "teams": [key[2:]] if key != NO_TEAM else []}
        for key in [g.name for g in candidates]
        if key in kept
    ]
    groups.append({"key": OTHER, "name": "", "teams": []})
    return groups


def _group_of(team_code: str | None, groups: list[dict[str, object]]) -> str:
    key = f"t:{team_code}" if team_code else NO_TEAM
    known = {str(g["key"]) for g in groups}
    return key if key in known else OTHER


def _release_year(organisation: Organisation, year: int) -> ReleaseYear:
    existing = ReleaseYear.objects.filter(organisation=organisation, year=year).first()
    if existing is not None:
        return existing
    policy = release_policy_of(organisation)
    horizon = HORIZON[ReleasePeriod(policy.period)]
    sensitivity = 1 if horizon == 1 else SENSITIVITY
    release_year = ReleaseYear(
        organisation=organisation,
        year=year,
        period=policy.period,
        epsilon_year=policy.epsilon_year,
        horizon=horizon,
        node_scale=continual.node_scale(float(policy.epsilon_year), sensitivity, horizon),
        groups=_groups_for_the_year(organisation),
    )
    release_year.full_clean()
    release_year.save()
    return release_year


def _clamped_increments(organisation: Organisation, release_year: ReleaseYear) -> dict[str, int]:
    """Bring each person's counted status up to date, at most two changes a year; return
    the change of each group's count since the last release."""
    year = release_year.year
    enrolled = set(
        Participation.objects.filter(
            membership__organisation=organisation, status=Participation.Status.ENROLLED
        ).values_list("membership_id", flat=True)
    )
    # By membership; the rows of erased people (membership gone) each by their own -pk.
    statuses = {
        s.membership_id or -s.pk: s
        for s in ReflectedStatus.objects.filter(organisation=organisation, year=year)
    }
    increments: dict[str, int] = defaultdict(int)
    members = Membership.objects.filter(organisation=organisation).values_list("pk", "team__code")
    limit = 1 if release_year.horizon == 1 else SENSITIVITY
    for membership_id, team_code in members:
        status = statuses.pop(membership_id, None)
        taking_part = membership_id in enrolled
        if status is None:
            if not taking_part:
                continue
            status = ReflectedStatus(
                organisation=organisation, membership_id=membership_id, year=year
            )
        if status.counted == taking_part or status.changes >= limit:
            continue
        if taking_part:
            status.group = _group_of(team_code, release_year.groups)
            increments[status.group] += 1
        else:
            increments[status.group] -= 1
        status.counted = taking_part
        status.changes += 1
        status.save()
    # People erased since (their membership is gone): they no longer take part.
    for status in statuses.values():
        if status.membership_id is None and status.counted and status.changes < limit:
            increments[status.group] -= 1
            status.counted = False
            status.changes += 1
            status.save(update_fields=["counted", "changes"])
    return increments


def _series(group: str) -> str:
    return f"participants:{group}"


def _draw_nodes(
    organisation: Organisation,
    release_year: ReleaseYear,
    series: str,
    steps: range,
    noise: continual.Noise,
) -> None:
    """Draw, once, the noisy sum of every node completed at these steps."""
    increments = dict(
        ReleaseIncrement.objects.filter(
            organisation=organisation, year=release_year.year, series=series
        ).values_list("step", "value")
    )
    for step in steps:
        for node in continual.nodes_completed_at(step):
            true_sum = sum(increments.get(s, 0) for s in continual.node_range(node))
            ReleaseNode.objects.get_or_create(
                organisation=organisation,
                year=release_year.year,
                series=series,
                level=node.level,
                index=node.index,
                defaults={"noisy_sum": true_sum + noise(release_year.node_scale)},
            )


def _estimate(organisation: Organisation, release_year: ReleaseYear, series: str, step: int) -> int:
    nodes = {
        continual.Node(level, index): noisy
        for level, index, noisy in ReleaseNode.objects.filter(
            organisation=organisation, year=release_year.year, series=series
        ).values_list("level", "index", "noisy_sum")
    }
    return continual.prefix_estimate(nodes, step)


def _group_sizes(organisation: Organisation, groups: list[dict[str, object]]) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    members = Membership.objects.active().filter(organisation=organisation)
    for team_code in members.values_list("team__code", flat=True):
        sizes[_group_of(team_code, groups)] += 1
    return sizes


def release_make(
    *,
    organisation: Organisation,
    now: datetime | None = None,
    noise: continual.Noise = continual.opendp_noise,
) -> Release:
    """The organisation's release for the current step: made now if it does not exist yet,
    else the stored one. Safe to run twice, on any worker (the organisation's policy row is
    locked, and every stored row is unique)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year
    with transaction.atomic():
        ReleasePolicy.objects.select_for_update().filter(
            pk=release_policy_of(organisation).pk
        ).values_list("pk").get()
        release_year = _release_year(organisation, year)
        step = min(step_of(today, release_year.period), release_year.horizon)
        existing = Release.objects.filter(organisation=organisation, year=year, step=step).first()
        if existing is not None:
            return existing
        last = (
            Release.objects.filter(organisation=organisation, year=year)
            .order_by("-step")
            .values_list("step", flat=True)
            .first()
        ) or 0
        increments = _clamped_increments(organisation, release_year)
        sizes = _group_sizes(organisation, release_year.groups)
        names = dict(Team.objects.filter(organisation=organisation).values_list("code", "name"))
        figures_groups: list[dict[str, str | int]] = []
        for group in release_year.groups:
            key = str(group["key"])
            series = _series(key)
            if increments.get(key):
                ReleaseIncrement.objects.create(
                    organisation=organisation,
                    year=year,
                    series=series,
                    step=step,
                    value=increments[key],
                )
            _draw_nodes(organisation, release_year, series, range(last + 1, step + 1), noise)
            size = sizes.get(key, 0)
            estimate = max(0, min(size, _estimate(organisation, release_year, series, step)))
            figures_groups.append(
                {
                    "key": key,
                    "name": _group_name(key, group, names),
                    "size": size,
                    "participants": estimate,
                }
            )
        release = Release(
            organisation=organisation,
            year=year,
            step=step,
            released_at=now,
            period=release_year.period,
            epsilon_year=release_year.epsilon_year,
            epsilon_release=continual.release_epsilon(release_year.node_scale),
            figures={
                "groups": figures_groups,
                "participants": sum(int(g["participants"]) for g in figures_groups),
                "members": sum(sizes.values()),
            },
        )
        release.full_clean()
        release.save()
    return release


def _group_name(key: str, group: dict[str, object], names: dict[str, str]) -> str:
    """The group's name as stored for the year ("" for the built-in ones, named when
    shown, in the reader's language)."""
    if key.startswith("t:"):
        return names.get(key[2:], str(group.get("name", "")))
    return ""


def releases_due(*, now: datetime | None = None) -> int:
    """Make every organisation's release that is due; how many were made."""
    now = now or timezone.now()
    made = 0
    for organisation in Organisation.objects.order_by("pk"):
        before = Release.objects.filter(organisation=organisation).count()
        release_make(organisation=organisation, now=now)
        made += Release.objects.filter(organisation=organisation).count() - before
    return made


SCHEDULE = "analytics.releases"
SCHEDULE_EVERY = timedelta(hours=1)


def releases_schedule(*, now: datetime | None = None) -> bool:
    """Plan the next hourly run of ``releases_run``, unless one is planned already."""
    at = (now or timezone.now()) + SCHEDULE_EVERY
    if not schedule_claim(SCHEDULE, at):
        return False
    if releases_run.get_backend().supports_defer:
        transaction.on_commit(lambda: releases_run.using(run_after=at).enqueue())
    return True
