"""The feed: what each person sees of the company's published posts."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coro.content import selectors
from coro.networks import NETWORKS
from coro.orgs.access import org_view
from coro.orgs.models import Membership
from coro.program.selectors import invitation_banner_shown, is_enrolled

PAGE_SIZE = 10


@org_view()
def feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = Paginator(selectors.posts_published(membership.organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    enrolled = is_enrolled(membership)
    context = {
        "membership": membership,
        "page": page,
        "enrolled": enrolled,
        "membership_enrolled": enrolled,  # the menu's leave button, without asking again
        # Never asked of people who take part; dismissed for good until the terms change.
        "invitation_banner": not enrolled and invitation_banner_shown(membership),
        "networks": NETWORKS.values(),
    }
    return render(request, "content/feed.html", context)
