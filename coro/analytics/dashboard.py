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

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from coro.analytics.models import NetworkDay, PostDay
from coro.analytics.ranges import DateRange
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


def reach_total(organisation: Organisation, date_range: DateRange) -> Reach:
    start, end = date_range.span(_zone(organisation))
    return _reach(organisation, _shares(organisation, start, end).aggregate(**_REACH_AGGREGATES))


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
    share_rows = (
        _shares(organisation, start, end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "network")
        .annotate(n=Count("pk"))
    )
    for row in share_rows:
        if row["day"] in days:
            days[row["day"]].share_dialogs += row["n"]
        network(row["network"]).share_dialogs += row["n"]
    for model_rows, name in (
        (_per_day(_posted(organisation, start, end), "posted_at", zone), "posts_made"),
        (
            _per_day(
                Reaction.objects.filter(
                    post__organisation=organisation, created_at__gte=start, created_at__lt=end
                ),
                "created_at",
                zone,
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
                zone,
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
        reach=reach_total(organisation, date_range),
    )
    ordered = sorted(networks.values(), key=lambda n: (-n.visits, -n.share_dialogs, n.label))
    return Activity(date_range=date_range, totals=totals, days=series, networks=ordered)


def _per_day(
    rows: QuerySet[ScheduledPost] | QuerySet[Reaction] | QuerySet[Comment],
    column: str,
    zone: ZoneInfo,
) -> dict[date, int]:
    counted = (
        rows.annotate(day=TruncDate(column, tzinfo=zone)).values("day").annotate(n=Count("pk"))
    )
    return {row["day"]: row["n"] for row in counted}


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
        _shares(organisation, start, end).values_list("post_id", flat=True).distinct(),
        _posted(organisation, start, end).values_list("share__post_id", flat=True).distinct(),
    ]
    return {pk for query in queries for pk in query}


def posts_in_range(organisation: Organisation, date_range: DateRange) -> QuerySet[Post]:
    """Posts published in the range, or shared, posted or visited in it; newest first."""
    ids = post_ids_in_range(organisation, date_range)
    return Post.objects.filter(organisation=organisation, pk__in=ids).order_by(
        "-published_at", "-pk"
    )


def post_figures(
    organisation: Organisation, date_range: DateRange, posts: list[Post]
) -> list[PostFigures]:
    """The range's figures of each of ``posts`` (a page of them, or all): three queries."""
    start, end = date_range.span(_zone(organisation))
    by_pk = {post.pk: PostFigures(post) for post in posts}
    ids = list(by_pk)
    visit_rows = (
        _post_days(organisation, date_range)
        .filter(post_id__in=ids)
        .values("post_id")
        .annotate(v=Sum("visits"), n=Sum("new_visitors"), p=Sum("previews"))
    )
    for row in visit_rows:
        figures = by_pk[row["post_id"]]
        figures.visits, figures.unique_visitors, figures.previews = row["v"], row["n"], row["p"]
    share_rows = (
        _shares(organisation, start, end)
        .filter(post_id__in=ids)
        .values("post_id")
        .annotate(**_REACH_AGGREGATES)
    )
    nobody = _reach(organisation, {"people": 0, "audience_sum": None, "unknown": 0, "shares": 0})
    for figures in by_pk.values():
        figures.reach = nobody
    for row in share_rows:
        figures = by_pk[row["post_id"]]
        figures.share_dialogs = row["shares"]
        figures.reach = _reach(organisation, row)
    posted_rows = (
        _posted(organisation, start, end)
        .filter(share__post_id__in=ids)
        .values("share__post_id")
        .annotate(n=Count("pk"))
    )
    for row in posted_rows:
        by_pk[row["share__post_id"]].posts_made = row["n"]
    return [by_pk[post.pk] for post in posts]
