"""Aggregates only: numbers about posts, networks and groups, never about a named person."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from coro.analytics import continual
from coro.analytics.figures import ReleaseFigures, release_figures
from coro.analytics.groups import merge_small_groups
from coro.analytics.models import HORIZON, Release, ReleasePeriod, ReleasePolicy, ReleaseYear
from coro.analytics.services import NO_TEAM, OTHER, SENSITIVITY, team_groups_by_size
from coro.orgs.models import Organisation


@dataclass(frozen=True)
class Totals:
    posts: int
    shares: int
    clicks: int


def release_latest(organisation: Organisation) -> Release | None:
    """The newest published release: the only source of figures about who takes part."""
    return Release.objects.filter(organisation=organisation).order_by("-year", "-step").first()


def figures_latest(organisation: Organisation) -> ReleaseFigures | None:
    """What the newest release shows: the same for admins, editors and each person's own
    transparency page."""
    release = release_latest(organisation)
    if release is None:
        return None
    return release_figures(release, organisation.min_group_size)


# Publication settings of team figures (the admins' page) -----------------------------------

CONFIDENCE = 0.9  # "9 times out of 10"


def _guess_percent(epsilon: float) -> int:
    """How often, at most, someone who knows everything about everyone else guesses right
    whether one person took part, starting from a 50/50 guess: e^ε / (1 + e^ε), in %."""
    return round(100 / (1 + math.exp(-epsilon)))


@dataclass(frozen=True)
class GroupSize:
    key: str
    name: str
    size: int


@dataclass(frozen=True)
class GroupAccuracy:
    """How far one group's published figure may be from the truth, under one setting."""

    group: GroupSize
    margin: int  # ± people, 9 times out of 10

    @property
    def points(self) -> int:
        """The margin in percentage points of the group's size."""
        return round(100 * self.margin / self.group.size) if self.group.size else 0


@dataclass(frozen=True)
class ReleaseSettings:
    """One setting (how often, yearly budget) and what it means for privacy and accuracy."""

    period: ReleasePeriod
    epsilon_year: Decimal
    horizon: int  # releases a year, at most
    node_scale: float
    epsilon_release: float  # what one release seen alone gives away
    margin: int  # ± people a typical release stays within, 9 times out of 10
    groups: tuple[GroupAccuracy, ...]

    @property
    def period_label(self) -> str:
        return str(self.period.label)

    @property
    def guess_percent(self) -> int:
        return _guess_percent(float(self.epsilon_year))

    @property
    def release_guess_percent(self) -> int:
        return _guess_percent(self.epsilon_release)

    def same_choice(self, other: "ReleaseSettings") -> bool:
        return (self.period, self.epsilon_year) == (other.period, other.epsilon_year)


@dataclass(frozen=True)
class GroupComparison:
    group: GroupSize
    current: GroupAccuracy
    proposed: GroupAccuracy


@dataclass(frozen=True)
class ReleaseSettingsState:
    """What is in effect this year, and what the admins chose (the same, or from 1 January)."""

    in_effect: ReleaseSettings
    chosen: ReleaseSettings
    applies_from: date | None  # when a change applies: None for the next release

    @property
    def pending(self) -> bool:
        """The choice differs from this year's settings: it applies from ``applies_from``."""
        return not self.in_effect.same_choice(self.chosen)


@dataclass(frozen=True)
class ReleaseSettingsPreview:
    """A proposed change next to what is in effect this year."""

    current: ReleaseSettings
    chosen: ReleaseSettings
    proposed: ReleaseSettings
    applies_from: date | None  # None: from the next release

    @property
    def pending(self) -> bool:
        """The admins already chose other settings, waiting for ``applies_from``."""
        return not self.current.same_choice(self.chosen)

    @property
    def unchanged(self) -> bool:
        """The proposal is what the admins chose already: there is nothing to save."""
        return self.proposed.same_choice(self.chosen)

    @property
    def less_private(self) -> bool:
        """A higher yearly budget: a well-informed colleague learns more about each person."""
        return self.proposed.epsilon_year > self.current.epsilon_year

    @property
    def more_often(self) -> bool:
        """A shorter period: more releases a year, each with more noise."""
        return self.proposed.horizon > self.current.horizon

    @property
    def groups(self) -> list[GroupComparison]:
        return [
            GroupComparison(group=current.group, current=current, proposed=proposed)
            for current, proposed in zip(self.current.groups, self.proposed.groups, strict=True)
        ]


def release_group_sizes(organisation: Organisation) -> list[GroupSize]:
    """The groups whose accuracy the settings page shows: those of the latest release, or,
    before the first one, the organisation's teams (small ones merged), biggest first."""
    figures = figures_latest(organisation)
    if figures is not None:
        return [GroupSize(key=g.key, name=g.name, size=g.size) for g in figures.groups]
    candidates, names = team_groups_by_size(organisation)
    merged = merge_small_groups(candidates, organisation.min_group_size, other_name=OTHER)
    kept = sorted((g for g in merged if not g.is_other), key=lambda g: (-g.size, g.name))
    names[NO_TEAM] = gettext("No team")
    groups = [GroupSize(key=g.name, name=names[g.name], size=g.size) for g in kept]
    groups += [
        GroupSize(key=OTHER, name=gettext("Other"), size=g.size) for g in merged if g.is_other
    ]
    return groups


def release_settings_of(
    *,
    period: ReleasePeriod,
    epsilon_year: Decimal,
    groups: list[GroupSize],
    node_scale: float | None = None,
) -> ReleaseSettings:
    """The privacy and accuracy of a setting; ``node_scale`` as stored for a year, or
    computed as ``services`` will (sensitivity 1 for one release a year, else 2)."""
    horizon = HORIZON[period]
    if node_scale is None:
        sensitivity = 1 if horizon == 1 else SENSITIVITY
        node_scale = continual.node_scale(float(epsilon_year), sensitivity, horizon)
    margin = continual.year_error_bound(node_scale, horizon, CONFIDENCE)
    return ReleaseSettings(
        period=period,
        epsilon_year=epsilon_year,
        horizon=horizon,
        node_scale=node_scale,
        epsilon_release=continual.release_epsilon(node_scale),
        margin=margin,
        groups=tuple(GroupAccuracy(group=g, margin=margin) for g in groups),
    )


def _release_year_current(organisation: Organisation) -> ReleaseYear | None:
    year = timezone.localdate().year
    return ReleaseYear.objects.filter(organisation=organisation, year=year).first()


def release_settings_applies_from(organisation: Organisation) -> date | None:
    """When a change of the settings would apply: 1 January if this year has had a release
    (its budget is fixed at the first one), else None, from the next release."""
    if _release_year_current(organisation) is None:
        return None
    return date(timezone.localdate().year + 1, 1, 1)


def _chosen(organisation: Organisation, groups: list[GroupSize]) -> ReleaseSettings:
    # Read only: an organisation that never chose has the defaults (no row is created).
    policy = ReleasePolicy.objects.filter(organisation=organisation).first() or ReleasePolicy()
    return release_settings_of(
        period=ReleasePeriod(policy.period),
        epsilon_year=Decimal(policy.epsilon_year),
        groups=groups,
    )


def _in_effect(
    organisation: Organisation, groups: list[GroupSize], chosen: ReleaseSettings
) -> ReleaseSettings:
    release_year = _release_year_current(organisation)
    if release_year is None:
        return chosen
    return release_settings_of(
        period=ReleasePeriod(release_year.period),
        epsilon_year=release_year.epsilon_year,
        groups=groups,
        node_scale=release_year.node_scale,
    )


def release_settings_state(organisation: Organisation) -> ReleaseSettingsState:
    groups = release_group_sizes(organisation)
    chosen = _chosen(organisation, groups)
    return ReleaseSettingsState(
        in_effect=_in_effect(organisation, groups, chosen),
        chosen=chosen,
        applies_from=release_settings_applies_from(organisation),
    )


def release_settings_preview(
    organisation: Organisation, *, period: ReleasePeriod, epsilon_year: Decimal
) -> ReleaseSettingsPreview:
    """What changing to ``period`` and ``epsilon_year`` would do, next to this year's."""
    groups = release_group_sizes(organisation)
    chosen = _chosen(organisation, groups)
    return ReleaseSettingsPreview(
        current=_in_effect(organisation, groups, chosen),
        chosen=chosen,
        proposed=release_settings_of(period=period, epsilon_year=epsilon_year, groups=groups),
        applies_from=release_settings_applies_from(organisation),
    )
