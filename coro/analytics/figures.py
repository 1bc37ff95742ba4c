"""Release figures as people read them: approximate, rounded, never an exact 0 % or 100 %.

A release's numbers about participation carry noise on purpose (``services.py``). They are
shown as "about 60 %" (to the nearest 20 % for teams under 10 people, else 10 %), and an
estimate at either end is shown as "under 10 %" or "over 90 %", never as a certainty.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from coro.analytics.models import Release
from coro.analytics.services import NO_TEAM, OTHER

SMALL_TEAM = 10


def rounding_step(size: int) -> int:
    return 20 if size < SMALL_TEAM else 10


def rate_text(participants: int, size: int) -> str:
    """ "about 60 %", "under 20 %", "over 80 %" (the step depends on the group's size)."""
    step = rounding_step(size)
    # Halves round up (3 of 6 is "about 60 %"), not to the even step as round() would.
    rounded = step * math.floor(100 * participants / size / step + 0.5) if size else 0
    if rounded <= 0:
        return _("under %(percent)s %%") % {"percent": step}
    if rounded >= 100:
        return _("over %(percent)s %%") % {"percent": 100 - step}
    return _("about %(percent)s %%") % {"percent": rounded}


def count_text(participants: int, size: int) -> str:
    """The count as shown: "about 4", or at either end "few or none" / "all or nearly all"."""
    if participants <= 0:
        return _("few or none")
    if participants >= size:
        return _("all or nearly all")
    return _("about %(count)s") % {"count": participants}


def approximate_number(participants: int) -> str:
    """For a big figure on the dashboard: "≈ 11"."""
    return f"≈ {participants}"


@dataclass(frozen=True)
class GroupFigures:
    key: str
    name: str
    size: int
    participants: int  # noisy estimate, never an exact count
    is_other: bool

    @property
    def participation(self) -> str:
        return rate_text(self.participants, self.size)

    @property
    def participants_text(self) -> str:
        return count_text(self.participants, self.size)


@dataclass(frozen=True)
class ReleaseFigures:
    """What a release lets people see: the groups big enough to show, and the total."""

    release: Release
    groups: list[GroupFigures]
    members: int
    participants: int | None  # None when the organisation is smaller than its minimum group

    @property
    def released_at(self) -> datetime:
        return self.release.released_at

    @property
    def participants_text(self) -> str:
        if self.participants is None:
            return ""
        return count_text(self.participants, self.members)

    @property
    def participants_number(self) -> str:
        return approximate_number(self.participants) if self.participants is not None else ""

    @property
    def participation(self) -> str:
        if self.participants is None or not self.members:
            return ""
        return rate_text(self.participants, self.members)


def _name(key: str, stored: str) -> str:
    if key == NO_TEAM:
        return _("No team")
    if key == OTHER:
        return _("Other")
    return stored


def release_figures(release: Release, min_group_size: int) -> ReleaseFigures:
    groups = [
        GroupFigures(
            key=str(group["key"]),
            name=_name(str(group["key"]), str(group.get("name", ""))),
            size=int(group["size"]),
            participants=int(group["participants"]),
            is_other=group["key"] == OTHER,
        )
        for group in release.figures.get("groups", [])
        if int(group["size"]) >= min_group_size
    ]
    members = int(release.figures.get("members", 0))
    total = int(release.figures.get("participants", 0))
    return ReleaseFigures(
        release=release,
        groups=groups,
        members=members,
        participants=max(0, min(members, total)) if members >= min_group_size else None,
    )
