"""Posting on the person's own connected account from the share screen ("Post now",
"Schedule for a time I choose"), and their list of scheduled posts, with cancelling.

The rules live in ``posting.py``; these views only read the form and show the outcome."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from coro.connections.selectors import connected_account
from coro.connections.services import client_for
from coro.content.forms import DateTimeLocalInput, form_errors_add
from coro.networks import get_network, too_long, too_long_message
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership
from coro.program.selectors import is_enrolled
from coro.sharing import posting, selectors, services
from coro.sharing.forms import newlines_unified
from coro.sharing.models import ScheduledPost

NOW, LATER = "now", "later"


class PostScheduleForm(forms.Form):
    """The person's words, and when to post them: now, or at the time they pick (in the
    organisation's time zone, which ``org_view`` makes the current one)."""

    text = forms.CharField(
        label=gettext_lazy("Your text"), widget=forms.Textarea(attrs={"rows": 9})
    )
    when = forms.ChoiceField(
        choices=[(NOW, gettext_lazy("Now")), (LATER, gettext_lazy("At a time I choose"))],
        initial=NOW,
        widget=forms.HiddenInput,
    )
    run_at = forms.DateTimeField(
        label=gettext_lazy("When"), required=False, widget=DateTimeLocalInput()
    )

    def clean_text(self) -> str:
        text = newlines_unified(str(self.cleaned_data["text"])).strip()
        if too_long(text):
            raise ValidationError(too_long_message(), code="too_long_for_coro")
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        no_time = cleaned.get("run_at") is None and "run_at" not in self.errors
        if cleaned.get("when") == LATER and no_time:
            self.add_error("run_at", _("Pick the day and time to post it."))
        if cleaned.get("when") == NOW:
            cleaned["run_at"] = None
        return cleaned


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
@require_POST
def post_schedule(
    request: HttpRequest, membership: Membership, code: str, network: str
) -> HttpResponse:
    """Post the person's text on their connected account now, or at the time they chose."""
    post = org_object_or_404(
        selectors.posts_shareable(membership), membership.organisation, code=code
    )
    target = get_network(network)
    if target is None or client_for(target.key) is None:
        raise Http404
    if not is_enrolled(membership):
        return redirect("program:terms", org_code=membership.organisation.code)
    account = connected_account(membership, target.key)
    form = PostScheduleForm(request.POST)
    if account is not None and form.is_valid():
        text, run_at = form.cleaned_data["text"], form.cleaned_data["run_at"]
        try:
            with transaction.atomic():
                share = services.share_record(
                    post=post, membership=membership, network=target.key, text=text
                )
                posting.scheduled_post_create(
                    share=share, account=account, text=text, run_at=run_at
                )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
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
    }
    return render(request, "sharing/scheduled_new.html", context)


@org_view()
@require_http_methods(["GET", "HEAD"])
def scheduled_posts(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The person's own posts on their connected accounts: what is waiting, what went out."""
    scheduled = list(posting.scheduled_posts_of(membership))
    for item in scheduled:
        network = get_network(item.share.network)
        item.network_label = network.label if network is not None else item.share.network  # type: ignore[attr-defined]
    context = {"membership": membership, "scheduled": scheduled}
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
