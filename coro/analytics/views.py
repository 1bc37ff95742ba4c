"""The editors' and admins' dashboard and its downloads, for one date range."""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.analytics.charts import BarChart, Series, TimeChart, bar_chart, time_chart
from coro.analytics.dashboard import Activity
from coro.analytics.exports import FORMATS, TABLES, Source
from coro.analytics.exports.tables import summary_table
from coro.analytics.ranges import PRESET_LABELS, DateRange, Preset, range_parse
from coro.core.downloads import export_filename
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Organisation, Role


def _range(request: HttpRequest, organisation: Organisation) -> tuple[DateRange, str]:
    today = timezone.now().astimezone(ZoneInfo(organisation.time_zone)).date()
    return range_parse(
        preset=request.GET.get("range", ""),
        start=request.GET.get("from", ""),
        end=request.GET.get("to", ""),
        today=today,
    )


def _time_charts(activity: Activity) -> list[TimeChart]:
    days = [d.day for d in activity.days]
    per_day = _("Day")

    def chart(key: str, title: str, y_label: str, *series: tuple[str, str]) -> TimeChart:
        return time_chart(
            key=key,
            title=title,
            days=days,
            series=[
                Series(name, [getattr(d, column) for d in activity.days]) for name, column in series
            ],
            x_label=per_day,
            y_label=y_label,
        )

    return [
        chart(
            "visits",
            _("Visits and unique visitors"),
            _("Count"),
            (_("Visits"), "visits"),
            (_("Unique visitors"), "unique_visitors"),
        ),
        chart(
            "sharing",
            _("Share dialogs opened and posts made through a connected account"),
            _("Count"),
            (_("Share dialogs opened"), "share_dialogs"),
            (_("Posts made through a connected account"), "posts_made"),
        ),
        chart(
            "climate",
            _("Reactions and comments"),
            _("Count"),
            (_("Reactions"), "reactions"),
            (_("Comments"), "comments"),
        ),
    ]


def _network_charts(activity: Activity) -> list[BarChart]:
    networks = activity.networks
    return [
        bar_chart(
            key="network-visits",
            title=_("Visits by network"),
            items=[(n.label, n.visits) for n in networks],
            x_label=_("Visits"),
            category_label=_("Network"),
        ),
        bar_chart(
            key="network-shares",
            title=_("Share dialogs opened by network"),
            # Each chart in the order of its own values, largest first.
            items=sorted(((n.label, n.share_dialogs) for n in networks), key=lambda i: -i[1]),
            x_label=_("Share dialogs opened"),
            category_label=_("Network"),
        ),
    ]


def _downloads(organisation: Organisation, query: str) -> dict[str, list[tuple[str, str]]]:
    """{table: [(format label, URL with the page's range)]}."""
    return {
        table: [
            (
                fmt.label,
                reverse(f"analytics:export_{table}_{ext}", args=[organisation.code]) + "?" + query,
            )
            for ext, fmt in FORMATS.items()
        ]
        for table in TABLES
    }


@org_view(Role.EDITOR)
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    date_range, range_error = _range(request, organisation)
    source = Source(organisation, date_range)
    activity = source.activity
    page, posts = source.posts_page(request.GET.get("page"))
    query = urlencode(date_range.query())
    context = {
        "membership": membership,
        "date_range": date_range,
        "range_error": range_error,
        "presets": [(p.value, PRESET_LABELS[p]) for p in Preset if p != Preset.CUSTOM],
        "range_query": query,
        "totals": activity.totals,
        "time_charts": _time_charts(activity),
        "network_charts": _network_charts(activity),
        "page": page,
        "posts": posts,
        "figures": source.release,
        "goals": source.goals,
        "min_group_size": organisation.min_group_size,
        "downloads": _downloads(organisation, query),
        "workbook_url": reverse("analytics:export_xlsx", args=[organisation.code]) + "?" + query,
    }
    return render(request, "analytics/dashboard.html", context)


def _export(
    request: HttpRequest, membership: Membership, tables: list[str], ext: str, what: str
) -> HttpResponse:
    fmt = FORMATS.get(ext)
    if fmt is None or not tables or any(t not in TABLES for t in tables):
        raise Http404
    organisation = membership.organisation
    date_range, _error = _range(request, organisation)  # a bad range: the default, as shown
    source = Source(organisation, date_range)
    filename = export_filename(organisation.code, what, fmt.extension)
    return fmt.response(filename, [TABLES[t](source) for t in tables])


@org_view(Role.EDITOR)
def export(request: HttpRequest, membership: Membership, table: str, ext: str) -> HttpResponse:
    """One table of the dashboard, for the range in the query string."""
    return _export(request, membership, [table], ext, f"dashboard-{table}")


@org_view(Role.EDITOR)
def export_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    """``dashboard.csv``: the totals, each post and network, and the latest release, one
    row each (``tables.summary_table``), for the range in the query string."""
    organisation = membership.organisation
    date_range, _error = _range(request, organisation)
    table = summary_table(Source(organisation, date_range))
    filename = export_filename(organisation.code, "dashboard", "csv")
    return FORMATS["csv"].response(filename, [table])


@org_view(Role.EDITOR)
def export_workbook(request: HttpRequest, membership: Membership) -> HttpResponse:
    """``dashboard.xlsx``: every table of the dashboard, one sheet each."""
    return _export(request, membership, list(TABLES), "xlsx", "dashboard")
