from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import localdate

from coro.analytics import selectors
from coro.analytics.charts import bar_chart
from coro.core.downloads import csv_response, export_filename
from coro.networks import NETWORKS
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Organisation, Role


def _by_network(organisation: Organisation) -> list[tuple[str, int]]:
    return [
        (NETWORKS[key].label, clicks)
        for key, clicks in selectors.clicks_by_network(organisation)
        if key in NETWORKS
    ]


@org_view(Role.EDITOR)
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    page = Paginator(selectors.post_stats(organisation), 20).get_page(request.GET.get("page"))
    context = {
        "membership": membership,
        "totals": selectors.totals(organisation),
        "page": page,
        "by_network": [{"label": label, "clicks": n} for label, n in _by_network(organisation)],
        "figures": selectors.figures_latest(organisation),
        "min_group_size": organisation.min_group_size,
        "chart": bar_chart(selectors.clicks_per_day(organisation)),
    }
    return render(request, "analytics/dashboard.html", context)


EXPORT_HEADER = [
    "section",
    "name",
    "published",
    "members",
    "participants_approx",
    "participation_approx",
    "shares",
    "visits",
]


@org_view(Role.EDITOR)
def export_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The dashboard's numbers: totals, per post, per network, and the latest release of
    team figures (approximate, with its date)."""
    organisation = membership.organisation
    totals = selectors.totals(organisation)
    figures = selectors.figures_latest(organisation)
    rows: list[list[object]] = [
        ["total", organisation.name, "", "", "", "", totals.shares, totals.clicks]
    ]
    posts = selectors.post_figures(organisation)
    rows += [
        [
            *("post", title, localdate(published).isoformat() if published else ""),
            *("", "", "", share_count, click_count),
        ]
        for title, published, share_count, click_count in posts
    ]
    rows += [["network", label, "", "", "", "", "", n] for label, n in _by_network(organisation)]
    if figures is not None:
        released = localdate(figures.released_at).isoformat()
        if figures.participants is not None:
            rows.append(
                [
                    *("release", organisation.name, released, figures.members),
                    *(figures.participants_text, figures.participation, "", ""),
                ]
            )
        rows += [
            [
                *("release_team", group.name, released, group.size),
                *(group.participants_text, group.participation, "", ""),
            ]
            for group in figures.groups
        ]
    return csv_response(export_filename(organisation.code, "dashboard", "csv"), EXPORT_HEADER, rows)
