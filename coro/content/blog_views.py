"""The blog feeds settings page: admins add, check and remove the company blog's feeds."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.content import blog
from coro.content.blog_errors import blog_error_message
from coro.content.blog_forms import BlogFeedForm
from coro.content.models import BlogFeed
from coro.core.languages import language_name
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership, Role


@dataclass(frozen=True)
class FeedRow:
    feed: BlogFeed
    language: str  # the language's own name
    error: str  # why its last check failed, in the reader's language ("" if it worked)


def _page(request: HttpRequest, membership: Membership, form: BlogFeedForm) -> HttpResponse:
    rows = [
        FeedRow(feed=feed, language=language_name(feed.language), error=blog_error_message(feed))
        for feed in blog.blog_feeds_of(membership.organisation)
    ]
    context = {
        "membership": membership,
        "feeds": rows,
        "failed": [row.feed for row in rows if row.error],
        "form": form,
        "first_check_limit": blog.FIRST_CHECK_LIMIT,
    }
    return render(request, "content/blog_feeds.html", context)


def _to_page(membership: Membership) -> HttpResponse:
    return redirect("content:blog_feeds", org_code=membership.organisation.code)


@org_view(Role.ADMIN)
def blog_feeds(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = BlogFeedForm(initial={"language": membership.organisation.language})
    return _page(request, membership, form)


@org_view(Role.ADMIN)
@require_POST
def blog_feed_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = BlogFeedForm(request.POST)
    if form.is_valid():
        try:
            blog.blog_feed_add(
                organisation=membership.organisation, actor=membership, **form.cleaned_data
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request,
                _(
                    "The feed is added. It is being checked now: reload this page in a minute "
                    "to see what came of it."
                ),
            )
            return _to_page(membership)
    return _page(request, membership, form)


@org_view(Role.ADMIN)
@require_POST
def blog_feed_check_now(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    feed = org_object_or_404(BlogFeed.objects.all(), membership.organisation, code=code)
    blog.blog_feed_check_request(feed=feed)
    messages.success(
        request, _("The feed is being checked: reload this page in a minute to see the result.")
    )
    return _to_page(membership)


@org_view(Role.ADMIN)
def blog_feed_remove(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    feed = org_object_or_404(BlogFeed.objects.all(), membership.organisation, code=code)
    if request.method == "POST":
        blog.blog_feed_remove(feed=feed, actor=membership)
        messages.success(request, _("The feed is removed. The posts it made are still there."))
        return _to_page(membership)
    made = feed.items.exclude(post=None).count()
    context = {"membership": membership, "feed": feed, "made": made}
    return render(request, "content/blog_feed_confirm_remove.html", context)
