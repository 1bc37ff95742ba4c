"""The person's notifications in Coro: the history (/notifications/), the bell in the header
(its unread count, refreshed by htmx), and marking them read. Each person sees only their
own, and only those delivered: nothing shows before their working hours begin."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from coro.accounts.models import User
from coro.core.redirects import safe_next
from coro.notifications import hours, selectors
from coro.notifications import inbox as inbox_services

PAGE_SIZE = 20


class InboxRequest(HttpRequest):
    """A request as these views see it: with htmx details (django-htmx's middleware)."""

    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def local_path(link: str) -> str | None:
    """``link`` when it is a path on this site ("/o/abc/posts/x/#comment-y"), else None:
    a notification never sends the browser elsewhere."""
    if not link.startswith("/") or link.startswith(("//", "/\\")):
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in link):
        return None
    return link


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.notifications_delivered(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "unread": selectors.notifications_unread_count(user),
        "user_zone": hours.user_zone(user),
    }
    return render(request, "notifications/inbox.html", context)


@require_GET
def bell(request: InboxRequest) -> HttpResponse:
    """The bell with the unread count, for htmx (``notifications.js`` asks while the person
    uses the page) with the count it shows: the same count answers 204 (nothing to swap), so
    screen readers hear only a change. Opened as a page, it leads to the notifications."""
    if not request.htmx:
        return redirect("notifications:inbox")
    if not request.user.is_authenticated:
        return HttpResponse(status=204)  # signed out meanwhile: the bell stays as it is
    unread = selectors.notifications_unread_count(_user(request))
    if request.GET.get("count") == str(unread):
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html", {"unread": unread})


@require_POST
@login_required
def mark_read(request: HttpRequest, code: str) -> HttpResponse:
    """Mark the notification read and open what it is about (back to the list when it is
    about nothing to open). Only the person's own: anyone else's is not found."""
    notification = selectors.notification_of(_user(request), code)
    if notification is None:
        raise Http404
    inbox_services.notification_mark_read(notification=notification)
    target = local_path(notification.link)
    return redirect(target or safe_next(request, reverse("notifications:inbox")))


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = inbox_services.notifications_mark_all_read(user=_user(request))
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                marked,
            )
            % {"count": marked},
        )
    else:
        messages.info(request, _("Everything was read already."))
    return redirect(safe_next(request, reverse("notifications:inbox")))
