"""Posting on the person's own connected account from the share screen ("Post now",
"Schedule for a time I choose"), and their list of scheduled posts, with cancelling.

The rules live in ``posting.py``; these views only read the form and show the outcome."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from coro.connections.selectors import connected_account
from coro.connections.services import client_for
from coro.content.forms import form_errors_add
from coro.networks import get_network
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership
from coro.program.selectors import is_enrolled
from coro.sharing import posting, selectors, services
from coro.sharing.forms import PostScheduleForm
from coro.sharing.models import ScheduledPost
from coro.sharing.reserved import reservation


def _htmx(request: HttpRequest) -> bool:
    """An htmx request: the share screen's form (on its page, or in the feed's dialog)."""
    return bool(getattr(request, "htmx", False))


def _in_dialog(request: HttpRequest) -> bool:
    """Whether it came from the feed's dialog (share.js says so on its requests)."""
    return _htmx(request) and request.headers.get("X-Coro-Dialog") == "1"


def _mine(membership: Membership, code: str) -> ScheduledPost:
    """One of the person's own scheduled posts in this organisation, else 404 (another
    person's, or another organisation's, is not found)."""
    return get_object_or_404(
        posting.scheduled_posts_of(membership).filter(
            share__post__organisation=membership.organisation
        ),
        code=code,
    )


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def post_schedule(
    request: HttpRequest, membership: Membership, code: str, network: str
) -> HttpResponse:
    """Post the person's text on their connected account now, or at the time they chose.
    Opened as a page (GET: a reload, a link), it goes back to the share screen."""
    post = org_object_or_404(
        selectors.posts_shareable(membership), membership.organisation, code=code
    )
    if request.method != "POST":
        return redirect(
            "sharing:share", org_code=membership.organisation.code, code=code, network=network
        )
    target = get_network(network)
    if target is None or client_for(target.key) is None:
        raise Http404
    if not is_enrolled(membership):
        terms = reverse("program:terms", kwargs={"org_code": membership.organisation.code})
        return HttpResponseClientRedirect(terms) if _htmx(request) else redirect(terms)
    account = connected_account(membership, target.key)
    form = PostScheduleForm(request.POST)
    if account is not None and form.is_valid():
        text, run_at = form.cleaned_data["text"], form.cleaned_data["run_at"]
        try:
            with transaction.atomic():
                # The link the share screen showed (its reserved code), if it sent one.
                reserved = reservation(
                    post=post,
                    membership=membership,
                    network=target.key,
                    token=str(request.POST.get("reserved", "")),
                )
                share = services.share_record(
                    post=post,
                    membership=membership,
                    network=target.key,
                    text=text,
                    code=reserved.code,
                )
                scheduled = posting.scheduled_post_create(
                    share=share, account=account, text=text, run_at=run_at
                )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if _htmx(request):  # the share screen's form: its answer replaces the screen
                context = {
                    "membership": membership,
                    "post": post,
                    "network": target,
                    "account": account,
                    "scheduled": scheduled,
                    "now": run_at is None,
                    "dialog": _in_dialog(request),
                }
                return render(request, "sharing/_posted.html", context)
            if run_at is None:
                done = _("Posting it on %(network)s now.") % {"network": target.label}
            else:
                done = _("Scheduled. You can cancel it until it goes out.")
            messages.success(request, done)
            return redirect("sharing:scheduled_posts", org_code=membership.organisation.code)
    context = {
        "membership": membership,
        "post": post,
        "network": target,
        "account": account,
        "form": form,
        "dialog": _in_dialog(request),
    }
    # The person's words and what is wrong: in place of the screen (htmx), or as a page.
    template = "sharing/_posted_form.html" if _htmx(request) else "sharing/scheduled_new.html"
    return render(request, template, context)


@org_view()
@require_http_methods(["GET", "HEAD"])
def scheduled_posts(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The person's own posts on their connected accounts: what is waiting, what went out."""
    # Each with its network's name, and its address on the network if it is a web address.
    scheduled = [
        (item, posting.network_label(item.share.network), posting.web_address(item.remote_url))
        for item in posting.scheduled_posts_of(membership)
    ]
    context = {"membership": membership, "scheduled": scheduled, "Status": ScheduledPost.Status}
    return render(request, "sharing/scheduled_posts.html", context)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def scheduled_post_cancel(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """Ask first (GET), then cancel (POST) one of the person's own scheduled posts."""
    scheduled = _mine(membership, code)
    if request.method == "POST":
        if posting.scheduled_post_cancel(post=scheduled):
            messages.success(request, _("Cancelled: it won't be posted."))
        else:
            messages.error(request, _("Too late to cancel: it is being posted or is over."))
        return redirect("sharing:scheduled_posts", org_code=membership.organisation.code)
    return render(
        request,
        "sharing/scheduled_confirm_cancel.html",
        {"membership": membership, "scheduled": scheduled},
    )
