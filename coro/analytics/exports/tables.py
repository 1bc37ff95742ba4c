"""The dashboard's tables, as the page shows them and the exports write them.

Each table is built from a ``Source`` (one organisation, one date range) that reads each
kind of figure once, so a workbook of every table costs no more queries than the page.
Only aggregates: no table names a person. Reach obeys the group-size rule (``dashboard``).
"""

from collections.abc import Callable
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from coro.analytics import dashboard, selectors
from coro.analytics.dashboard import Activity, PostFigures, Reach
from coro.analytics.exports.base import Cell, Table
from coro.analytics.figures import ReleaseFigures
from coro.analytics.ranges import DateRange
from coro.community.selectors import GoalProgress, GoalState, goals_overview
from coro.orgs.models import Organisation

POSTS_PER_PAGE = 20


class Source:
    """The figures of one organisation for one range, each read once, when first needed."""

    def __init__(self, organisation: Organisation, date_range: DateRange) -> None:
        self.organisation = organisation
        self.date_range = date_range

    @cached_property
    def activity(self) -> Activity:
        return dashboard.activity(self.organisation, self.date_range)

    @cached_property
    def release(self) -> ReleaseFigures | None:
        return selectors.figures_latest(self.organisation)

    @cached_property
    def goals(self) -> list[GoalProgress]:
        """Goals whose period meets the range (their progress is over their own period)."""
        return [
            p
            for p in goals_overview(self.organisation)
            if p.goal.starts_on <= self.date_range.end and p.goal.ends_on >= self.date_range.start
        ]

    def posts_page(self, number: str | int | None) -> tuple[Page, list[PostFigures]]:  # type: ignore[type-arg]
        posts = dashboard.posts_in_range(self.organisation, self.date_range)
        page = Paginator(posts, POSTS_PER_PAGE).get_page(number)
        figures = dashboard.post_figures(self.organisation, self.date_range, list(page))
        return page, figures

    @cached_property
    def posts_all(self) -> list[PostFigures]:
        return dashboard.post_figures_all(self.organisation, self.date_range)


def reach_note(reach: Reach) -> str:
    """Why a reach is not shown, or what it leaves out."""
    if not reach.shares:
        return ""
    if not reach.enough_people:
        return _("fewer than %(size)s people shared: not shown") % {"size": reach.min_group_size}
    if reach.unknown:
        return _("%(count)s shares without a known audience, not counted") % {
            "count": reach.unknown
        }
    return ""


def _range_note(source: Source) -> str:
    return _("%(start)s to %(end)s") % {
        "start": source.date_range.start.isoformat(),
        "end": source.date_range.end.isoformat(),
    }


def totals_table(source: Source) -> Table:
    totals = source.activity.totals
    reach = totals.reach
    rows: list[tuple[Cell, ...]] = [
        (_("Days"), source.date_range.days, _range_note(source)),
        (_("Posts published"), totals.posts_published, ""),
        (
            _("Share dialogs opened"),
            totals.share_dialogs,
            _("People who opened a post's share dialog; they may not have posted it."),
        ),
        (_("Posts made through a connected account"), totals.posts_made, ""),
        (_("Visits"), totals.visits, ""),
        (_("Unique visitors"), totals.unique_visitors, _("Unique visitors per day, added up.")),
        (_("Previews by link-preview fetchers and bots"), totals.previews, ""),
        (_("Reach, upper bound"), reach.audience, reach_note(reach)),
        (_("Reactions"), totals.reactions, ""),
        (_("Comments"), totals.comments, ""),
    ]
    return Table("totals", _("Totals"), (_("Figure"), _("Value"), _("Note")), rows)


def days_table(source: Source) -> Table:
    header = (
        _("Day"),
        _("Visits"),
        _("Unique visitors"),
        _("Previews"),
        _("Share dialogs opened"),
        _("Posts made through a connected account"),
        _("Reactions"),
        _("Comments"),
    )
    columns = ["visits", "unique_visitors", "previews", "share_dialogs", "posts_made"]
    columns += ["reactions", "comments"]
    rows: list[tuple[Cell, ...]] = [
        (d.day, *(int(getattr(d, c)) for c in columns)) for d in source.activity.days
    ]
    return Table("days", _("Per day"), header, rows)


def networks_table(source: Source) -> Table:
    header = (
        _("Network"),
        _("Visits"),
        _("Unique visitors"),
        _("Previews"),
        _("Share dialogs opened"),
    )
    rows: list[tuple[Cell, ...]] = [
        (n.label, n.visits, n.unique_visitors, n.previews, n.share_dialogs)
        for n in source.activity.networks
    ]
    return Table("networks", _("Per network"), header, rows)


def post_row(figures: PostFigures) -> tuple[Cell, ...]:
    published = figures.post.published_at
    reach = figures.reach
    return (
        figures.title,
        localdate(published) if published else None,
        figures.share_dialogs,
        figures.posts_made,
        figures.visits,
        figures.unique_visitors,
        figures.previews,
        reach.audience if reach else None,
        reach_note(reach) if reach else "",
    )


def post_header() -> tuple[str, ...]:
    return (
        _("Post"),
        _("Published"),
        _("Share dialogs opened"),
        _("Posts made through a connected account"),
        _("Visits"),
        _("Unique visitors"),
        _("Previews"),
        _("Reach, upper bound"),
        _("Note"),
    )


def posts_table(source: Source) -> Table:
    header = post_header()
    return Table("posts", _("Per post"), header, [post_row(f) for f in source.posts_all])


def participation_table(source: Source) -> Table:
    """From the latest release only, with its date; never live."""
    header = (_("Group"), _("Published on"), _("Members"), _("Taking part"), _("Rate"))
    figures = source.release
    rows: list[tuple[Cell, ...]] = []
    if figures is not None:
        released = localdate(figures.released_at)
        if figures.participants is not None:
            rows.append(
                (
                    source.organisation.name,
                    released,
                    figures.members,
                    figures.participants_text,
                    figures.participation,
                )
            )
        rows += [
            (g.name, released, g.size, g.participants_text, g.participation) for g in figures.groups
        ]
    return Table("participation", _("Participation"), header, rows)


def goals_table(source: Source) -> Table:
    header = (
        _("Goal"),
        _("For"),
        _("What counts"),
        _("First day"),
        _("Last day"),
        _("Target"),
        _("Counted"),
        _("Note"),
    )
    rows: list[tuple[Cell, ...]] = []
    for p in source.goals:
        goal = p.goal
        note = ""
        if p.hidden:
            note = _("hidden: fewer than %(size)s people") % {
                "size": source.organisation.min_group_size
            }
        elif p.up_to_yesterday:
            note = _("counted up to yesterday")
        elif p.state == GoalState.ENDED:
            note = _("ended")
        rows.append(
            (
                goal.title,
                goal.team.name if goal.team else _("The whole company"),
                goal.get_metric_display(),
                goal.starts_on,
                goal.ends_on,
                goal.target,
                p.count,
                note,
            )
        )
    return Table("goals", _("Common goals"), header, rows)


SUMMARY_HEADER = (
    "section",
    "name",
    "published",
    "members",
    "participants_approx",
    "participation_approx",
    "share_dialogs_opened",
    "visits",
    "posts_made_through_connected_accounts",
    "unique_visitors_per_day_added_up",
    "previews",
    "reach_upper_bound",
)


def _summary_row(section: str, name: str, **cells: Cell) -> tuple[Cell, ...]:
    """One row of ``dashboard.csv``: ``cells`` by column name, the others empty."""
    unknown = set(cells) - set(SUMMARY_HEADER)
    assert not unknown, unknown
    return (section, name, *(cells.get(column) for column in SUMMARY_HEADER[2:]))


def summary_table(source: Source) -> Table:
    """``dashboard.csv``: the totals, each post and network, and the latest release, one
    section per row (the columns that do not apply are empty)."""
    totals = source.activity.totals
    rows = [
        _summary_row(
            "total",
            source.organisation.name,
            share_dialogs_opened=totals.share_dialogs,
            visits=totals.visits,
            posts_made_through_connected_accounts=totals.posts_made,
            unique_visitors_per_day_added_up=totals.unique_visitors,
            previews=totals.previews,
            reach_upper_bound=totals.reach.audience,
        )
    ]
    for post in source.posts_all:
        published = post.post.published_at
        rows.append(
            _summary_row(
                "post",
                post.title,
                published=localdate(published) if published else None,
                share_dialogs_opened=post.share_dialogs,
                visits=post.visits,
                posts_made_through_connected_accounts=post.posts_made,
                unique_visitors_per_day_added_up=post.unique_visitors,
                previews=post.previews,
                reach_upper_bound=post.reach.audience if post.reach else None,
            )
        )
    rows += [
        _summary_row(
            "network",
            n.label,
            share_dialogs_opened=n.share_dialogs,
            visits=n.visits,
            unique_visitors_per_day_added_up=n.unique_visitors,
            previews=n.previews,
        )
        for n in source.activity.networks
    ]
    figures = source.release
    if figures is not None:
        released = localdate(figures.released_at)
        if figures.participants is not None:
            rows.append(
                _release_row(
                    "release",
                    source.organisation.name,
                    released,
                    figures.members,
                    figures.participants_text,
                    figures.participation,
                )
            )
        rows += [
            _release_row(
                "release_team", g.name, released, g.size, g.participants_text, g.participation
            )
            for g in figures.groups
        ]
    return Table("dashboard", _("Dashboard"), SUMMARY_HEADER, rows)


def _release_row(
    section: str, name: str, released: Cell, members: int, participants: str, rate: str
) -> tuple[Cell, ...]:
    return _summary_row(
        section,
        name,
        published=released,
        members=members,
        participants_approx=participants,
        participation_approx=rate,
    )


TableBuilder = Callable[[Source], Table]

# The order of the workbook's sheets.
TABLES: dict[str, TableBuilder] = {
    "totals": totals_table,
    "days": days_table,
    "networks": networks_table,
    "posts": posts_table,
    "participation": participation_table,
    "goals": goals_table,
}
