"""Connecting a Bluesky account with an app password (disconnecting is the shared view)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from coro.connections.bluesky import bluesky_connect
from coro.connections.bluesky_forms import BlueskyConnectForm
from coro.orgs.access import org_view
from coro.orgs.models import Membership


@org_view()
@never_cache  # a failed submit may show the app password again (BlueskyConnectForm)
@require_http_methods(["GET", "HEAD", "POST"])
def connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """How to make an app password, and the form for it (GET); log in to check it and
    store the account (POST)."""
    form = BlueskyConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = bluesky_connect(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Connected %(handle)s.") % {"handle": account.handle})
            return redirect("connections:profiles", org_code=membership.organisation.code)
    context = {"membership": membership, "form": form}
    status = 422 if form.errors else 200
    return render(request, "connections/bluesky_connect.html", context, status=status)
