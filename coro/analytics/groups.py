"""Numbers about groups of people, shown only for groups big enough to single nobody out.

A group smaller than the organisation's ``min_group_size`` is merged into "other". If
"other" would still be too small (a lone small team, say), the smallest remaining groups
are merged into it too, until it is big enough: otherwise a small group's numbers could
be worked out as the total minus the groups shown. Merging looks only at group sizes,
which admins know anyway, never at the numbers, so which groups were merged says nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    name: str
    size: int  # people in the group
    participants: int = 0
    shares: int = 0
    clicks: int = 0
    is_other: bool = False

    @property
    def participation_percent(self) -> int | None:
        return round(100 * self.participants / self.size) if self.size else None


def combine(name: str, groups: Iterable[Group]) -> Group:
    groups = list(groups)
    return Group(
        name=name,
        size=sum(g.size for g in groups),
        participants=sum(g.participants for g in groups),
        shares=sum(g.shares for g in groups),
        clicks=sum(g.clicks for g in groups),
        is_other=True,
    )


def merge_small_groups(
    groups: list[Group], min_size: int, other_name: str = "other"
) -> list[Group]:
    """The groups that may be shown, in their order, then "other" (at least ``min_size``).

    Empty when the groups together have fewer than ``min_size`` people.
    """
    populated = [g for g in groups if g.size > 0]
    if sum(g.size for g in populated) < min_size:
        return []
    kept = [g for g in populated if g.size >= min_size]
    merged = [g for g in populated if g.size < min_size]
    if not merged:
        return kept
    while sum(g.size for g in merged) < min_size and kept:
        smallest = min(kept, key=lambda g: (g.size, g.name))
        kept.remove(smallest)
        merged.append(smallest)
    return [*kept, combine(other_name, merged)]
