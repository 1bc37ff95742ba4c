"""What the editors' and admins' dashboard reads, for one date range. Aggregates only.

Speed: visits come from the daily rollups, never from the raw visits: the totals, days and
networks from ``NetworkDay`` (a dozen rows a day), the posts from ``PostDay`` (one row per
post and day); shares, posts made through connected accounts, reactions and comments are
counted per day in the database; the reach adds up ``Share.audience``, recorded on each
share when it was made. No query joins one table per row of another, so a year costs
little more than a week. The number of queries is fixed: it does not grow with posts, days
or people.

What each figure measures (and is called on the page and in the exports):

- *share dialogs opened*: ``Share`` rows made in the range. A person opened Coro's share
  dialog for a post and a network; they may never have posted it.
- *posts made through a connected account*: ``ScheduledPost`` rows posted in the range.
- *visits*, *unique visitors* (each day's new visitors, added up over the days) and
  *previews* (link-preview fetchers, crawlers, prefetches): from ``NetworkDay`` and
  ``PostDay``.
- *reach*: the sum of the sharers' audiences on the network of each share (a connected
  account's followers, else the number the person gave, when they first shared:
  ``Share.audience``). Coro never reads follower lists (charter rule 4), so overlaps are
  unknown and the sum is an upper bound. It is a figure about people: shown only when at
  least ``min_group_size`` different people shared. A link whose sharer left or was erased
  counts as a share without a known audience.
- *reactions* and *comments* (the climate, charter rule 10): public by nature (the posts
  show who reacted), so their counts are shown as they are.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate

from coro.analytics.models import NetworkDay, PostDay
from coro.analytics.ranges import DateRange
from coro.community.months import day_start
from coro.content.models import Comment, Post, Reaction
from coro.networks import NETWORKS
from coro.orgs.models import Organisation
from coro.sharing.models import ScheduledPost, Share

PUBLISHED = [Post.Status.PUBLISHED, Post.Status.ARCHIVED]


@dataclass
class DayFigures:
    day: date
    visits: int = 0
    unique_visitors: int = 0
    previews: int = 0
    share_dialogs: int = 0
    posts_made: int = 0
    reactions: int = 0
    comments: int = 0


@dataclass
class NetworkFigures:
    key: str
    label: str
    visits: int = 0
    unique_visitors: int = 0
    previews: int = 0
    share_dialogs: int = 0


@dataclass(frozen=True)
class Reach:
    """The sum of the sharers' audiences, or nothing when too few people shared."""

    audience: int | None  # None: hidden (too few people) or no share at all
    unknown: int  # shares whose sharer's audience is not known (not counted)
    shares: int
    enough_people: bool
    min_group_size: int

    @property
    def shown(self) -> bool:
        return self.audience is not None

    @property
    def none_known(self) -> bool:
        """Shown, but no share had a known audience: the sum is unknown, not zero (pages
        show a dash; the exports keep their 0 and the note on the unknown shares)."""
        return self.shown and self.unknown >= self.shares

    @property
    def known(self) -> bool:
        """A sum to show: enough people shared, and at least one share's audience is known."""
        return self.shown and not self.none_known


def reach_of(
    *, people: int, audience: int | None, unknown: int, shares: int, min_group_size: int
) -> Reach:
    """The group-size rule: the sum of audiences only when ``people`` >= the minimum."""
    enough = people >= min_group_size
    return Reach(
        audience=(audience or 0) if enough and shares else None,
        unknown=unknown if enough else 0,
        shares=shares,
        enough_people=enough,
        min_group_size=min_group_size,
    )


@dataclass(frozen=True)
class Totals:
    posts_published: int
    share_dialogs: int
    posts_made: int
    visits: int
    unique_visitors: int
    previews: int
    reactions: int
    comments: int
    reach: Reach

    @property
    def empty(self) -> bool:
        """Nothing happened in the range."""
        counts = (self.posts_published, self.share_dialogs, self.posts_made, self.visits)
        return not any((*counts, self.previews, self.reactions, self.comments))


@dataclass(frozen=True)
class Activity:
    """The whole page's figures for one range."""

    date_range: DateRange
    totals: Totals
    days: list[DayFigures]
    networks: list[NetworkFigures]  # networks with any activity, most visited first


@dataclass
class PostFigures:
    post: Post
    share_dialogs: int = 0
    posts_made: int = 0
    visits: int = 0
    unique_visitors: int = 0
    previews: int = 0
    reach: Reach | None = field(default=None)

    @property
    def title(self) -> str:
        return self.post.title


def _zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.time_zone)


def _shares(organisation: Organisation, start: datetime, end: datetime) -> QuerySet[Share]:
    return Share.objects.filter(
        post__organisation=organisation, created_at__gte=start, created_at__lt=end
    )


def _posted(organisation: Organisation, start: datetime, end: datetime) -> QuerySet[ScheduledPost]:
    return ScheduledPost.objects.filter(
        share__post__organisation=organisation,
        status=ScheduledPost.Status.POSTED,
        posted_at__gte=start,
        posted_at__lt=end,
    )


class _DayOf:
    """The local day of a time column, for rows already limited to the range: on
    PostgreSQL the index of the day in the range (``width_bucket`` over the instants each
    day begins, several times cheaper than converting every row to the time zone), else the
    date (``TruncDate``)."""

    def __init__(self, date_range: DateRange, zone: ZoneInfo) -> None:
        self.days = date_range.day_list()
        self.zone = zone
        self.indexed = connection.vendor == "postgresql"

    def expression(self, column: str) -> Func | TruncDate:
        if not self.indexed:
            return TruncDate(column, tzinfo=self.zone)
        starts = [day_start(day, self.zone) for day in self.days]
        return Func(F(column), Value(starts), function="width_bucket", output_field=IntegerField())

    def day(self, value: int | date) -> date | None:
        """The day of a row's value; None outside the range."""
        if isinstance(value, date):
            return value
        return self.days[value - 1] if 0 < value <= len(self.days) else None


def _network_days(organisation: Organisation, date_range: DateRange) -> QuerySet[NetworkDay]:
    return NetworkDay.objects.filter(
        organisation=organisation, day__gte=date_range.start, day__lte=date_range.end
    )


def _post_days(organisation: Organisation, date_range: DateRange) -> QuerySet[PostDay]:
    return PostDay.objects.filter(
        organisation=organisation, day__gte=date_range.start, day__lte=date_range.end
    )


# The reach of a set of shares, in one pass over them: ``Share.audience`` was recorded when
# each was made. A link without its sharer (they left, or were erased) has no known audience.
_KNOWN = Q(membership__isnull=False, audience__isnull=False)
_REACH_AGGREGATES = {
    "people": Count("membership", distinct=True),
    "audience_sum": Sum("audience", filter=_KNOWN),
    "unknown": Count("pk", filter=~_KNOWN),
    "shares": Count("pk"),
}


def _reach(organisation: Organisation, row: dict[str, int | None]) -> Reach:
    return reach_of(
        people=row["people"] or 0,
        audience=row["audience_sum"],
        unknown=row["unknown"] or 0,
        shares=row["shares"] or 0,
        min_group_size=organisation.min_group_size,
    )


def _enough_people(shares: QuerySet[Share], minimum: int) -> int:
    """How many different people made ``shares``, counted up to ``minimum`` only: all the
    group-size rule needs, and the database stops looking once it has found them."""
    people = shares.filter(membership__isnull=False).order_by().values("membership").distinct()
    return people[:minimum].count()


def activity(organisation: Organisation, date_range: DateRange) -> Activity:
    """Totals, per day and per network for the range: seven queries."""
    zone = _zone(organisation)
    start, end = date_range.span(zone)
    days = {day: DayFigures(day) for day in date_range.day_list()}
    networks: dict[str, NetworkFigures] = {}

    def network(key: str) -> NetworkFigures:
        if key not in networks:
            known = NETWORKS.get(key)
            networks[key] = NetworkFigures(key, known.label if known else key)
        return networks[key]

    visit_rows = _network_days(organisation, date_range).values_list(
        "day", "network", "visits", "new_visitors", "previews"
    )
    for day, key, visits, new_visitors, previews in visit_rows:
        for figures in (days.get(day), network(key)):
            if figures is not None:
                figures.visits += visits
                figures.unique_visitors += new_visitors
                figures.previews += previews
    # The shares per day and network, with their reach's sums, in one pass over them.
    day_of = _DayOf(date_range, zone)
    shares = _shares(organisation, start, end)
    share_rows = (
        shares.annotate(day=day_of.expression("created_at"))
        .values("day", "network")
        .annotate(
            n=Count("pk"),
            audience_sum=_REACH_AGGREGATES["audience_sum"],
            unknown=_REACH_AGGREGATES["unknown"],
        )
        .order_by()
    )
    shared, audience, unknown = 0, None, 0
    for row in share_rows:
        made_on = day_of.day(row["day"])
        if made_on in days:
            days[made_on].share_dialogs += row["n"]
        network(row["network"]).share_dialogs += row["n"]
        shared += row["n"]
        unknown += row["unknown"]
        if row["audience_sum"] is not None:
            audience = (audience or 0) + row["audience_sum"]
    people = _enough_people(shares, organisation.min_group_size) if shared else 0
    reach = reach_of(
        people=people,
        audience=audience,
        unknown=unknown,
        shares=shared,
        min_group_size=organisation.min_group_size,
    )
    for model_rows, name in (
        (_per_day(_posted(organisation, start, end), "posted_at", day_of), "posts_made"),
        (
            _per_day(
                Reaction.objects.filter(
                    post__organisation=organisation, created_at__gte=start, created_at__lt=end
                ),
                "created_at",
                day_of,
            ),
            "reactions",
        ),
        (
            _per_day(
                Comment.objects.filter(
                    post__organisation=organisation,
                    hidden_at__isnull=True,
                    created_at__gte=start,
                    created_at__lt=end,
                ),
                "created_at",
                day_of,
            ),
            "comments",
        ),
    ):
        for day, n in model_rows.items():
            if day in days:
                setattr(days[day], name, getattr(days[day], name) + n)
    published = Post.objects.filter(
        organisation=organisation,
        status__in=PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    ).count()
    series = list(days.values())
    totals = Totals(
        posts_published=published,
        share_dialogs=sum(d.share_dialogs for d in series),
        posts_made=sum(d.posts_made for d in series),
        visits=sum(d.visits for d in series),
        unique_visitors=sum(d.unique_visitors for d in series),
        previews=sum(d.previews for d in series),
        reactions=sum(d.reactions for d in series),
        comments=sum(d.comments for d in series),
        reach=reach,
    )
    ordered = sorted(networks.values(), key=lambda n: (-n.visits, -n.share_dialogs, n.label))
    return Activity(date_range=date_range, totals=totals, days=series, networks=ordered)


def _per_day(
    rows: QuerySet[ScheduledPost] | QuerySet[Reaction] | QuerySet[Comment],
    column: str,
    day_of: _DayOf,
) -> dict[date, int]:
    counted = (
        rows.annotate(day=day_of.expression(column))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_day: dict[date, int] = {}
    for row in counted:
        day = day_of.day(row["day"])
        if day is not None:
            per_day[day] = per_day.get(day, 0) + row["n"]
    return per_day


# --- Per post ------------------------------------------------------------------------------


def post_ids_in_range(organisation: Organisation, date_range: DateRange) -> set[int]:
    """The posts published in the range, or shared, posted or visited in it: one simple
    query each (an OR of subqueries would make the database try every post against each)."""
    start, end = date_range.span(_zone(organisation))
    queries = [
        Post.objects.filter(
            organisation=organisation,
            status__in=PUBLISHED,
            published_at__gte=start,
            published_at__lt=end,
        ).values_list("pk", flat=True),
        _post_days(organisation, date_range).values_list("post_id", flat=True).distinct(),
        _shares(organisation, start, end).order_by().values_list("post_id", flat=True).distinct(),
        _posted(organisation, start, end)
        .order_by()
        .values_list("share__post_id", flat=True)
        .distinct(),
    ]
    return {pk for query in queries for pk in query}


def posts_in_range(organisation: Organisation, date_range: DateRange) -> QuerySet[Post]:
    """Posts published in the range, or shared, posted or visited in it; newest first."""
    ids = post_ids_in_range(organisation, date_range)
    return Post.objects.filter(organisation=organisation, pk__in=ids).order_by(
        "-published_at", "-pk"
    )


@dataclass
class _PostRows:
    """The range's figures per post id, as read from the database."""

    visits: dict[int, tuple[int, int, int]]  # visits, new visitors, previews
    shares: dict[int, dict[str, int | None]]  # the reach's aggregates
    posted: dict[int, int]


def _post_rows(
    organisation: Organisation, date_range: DateRange, ids: list[int] | None
) -> _PostRows:
    """Three queries: visits (``PostDay``), shares with their reach, posts made; of the posts
    ``ids``, or of every post with any of them in the range (``ids`` None)."""
    start, end = date_range.span(_zone(organisation))
    visits = _post_days(organisation, date_range)
    shares = _shares(organisation, start, end)
    posted = _posted(organisation, start, end)
    if ids is not None:
        visits = visits.filter(post_id__in=ids)
        shares = shares.filter(post_id__in=ids)
        posted = posted.filter(share__post_id__in=ids)
    visit_rows = visits.values("post_id").annotate(
        v=Sum("visits"), n=Sum("new_visitors"), p=Sum("previews")
    )
    share_rows = shares.order_by().values("post_id").annotate(**_REACH_AGGREGATES)
    posted_rows = posted.order_by().values("share__post_id").annotate(n=Count("pk"))
    return _PostRows(
        visits={row["post_id"]: (row["v"], row["n"], row["p"]) for row in visit_rows},
        shares={row["post_id"]: row for row in share_rows},
        posted={row["share__post_id"]: row["n"] for row in posted_rows},
    )


def _figures(organisation: Organisation, posts: list[Post], rows: _PostRows) -> list[PostFigures]:
    nobody = _reach(organisation, {"people": 0, "audience_sum": None, "unknown": 0, "shares": 0})
    figures = []
    for post in posts:
        visits, new_visitors, previews = rows.visits.get(post.pk, (0, 0, 0))
        shared = rows.shares.get(post.pk)
        figures.append(
            PostFigures(
                post,
                share_dialogs=(shared["shares"] or 0) if shared else 0,
                posts_made=rows.posted.get(post.pk, 0),
                visits=visits,
                unique_visitors=new_visitors,
                previews=previews,
                reach=_reach(organisation, shared) if shared else nobody,
            )
        )
    return figures


def post_figures(
    organisation: Organisation, date_range: DateRange, posts: list[Post]
) -> list[PostFigures]:
    """The range's figures of each of ``posts`` (a page of them): three queries."""
    rows = _post_rows(organisation, date_range, [post.pk for post in posts])
    return _figures(organisation, posts, rows)


def post_figures_all(organisation: Organisation, date_range: DateRange) -> list[PostFigures]:
    """The figures of every post of the range (``posts_in_range``), newest first, for the
    exports: the per-post figures of the whole range are read first, and say which posts
    were visited, shared or posted; five queries, one pass over the range's shares."""
    start, end = date_range.span(_zone(organisation))
    rows = _post_rows(organisation, date_range, None)
    published = Post.objects.filter(
        organisation=organisation,
        status__in=PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    ).values_list("pk", flat=True)
    ids = {*published, *rows.visits, *rows.shares, *rows.posted}
    posts = list(
        Post.objects.filter(organisation=organisation, pk__in=ids).order_by("-published_at", "-pk")
    )
    return _figures(organisation, posts, rows)
