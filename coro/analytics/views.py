from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coro.analytics import selectors
from coro.analytics.charts import bar_chart
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role
from coro.sharing.networks import NETWORKS


@org_view(Role.EDITOR)
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    page = Paginator(selectors.post_stats(organisation), 20).get_page(request.GET.get("page"))
    by_network = [
        {"label": NETWORKS[key].label, "clicks": clicks}
        for key, clicks in selectors.clicks_by_network(organisation)
        if key in NETWORKS
    ]
    context = {
        "membership": membership,
        "totals": selectors.totals(organisation),
        "page": page,
        "by_network": by_network,
        "chart": bar_chart(selectors.clicks_per_day(organisation)),
    }
    return render(request, "analytics/dashboard.html", context)
