"""A person's "My networks" page: their own servers and, optionally, roughly how many people
follow them on each network. Only they see it; every field may stay empty."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coro.connections import profile_services
from coro.connections.profile_forms import ProfilesForm
from coro.connections.profile_selectors import network_profiles
from coro.orgs.access import org_view
from coro.orgs.models import Membership


def _initial(membership: Membership) -> dict[str, object]:
    initial: dict[str, object] = {}
    for key, profile in network_profiles(membership).items():
        initial[f"server_{key}"] = profile.instance
        initial[f"audience_{key}"] = profile.approximate_audience
    return initial


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def profiles(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Show (GET) and save (POST) the person's own network settings."""
    if request.method == "POST":
        form = ProfilesForm(request.POST)
        if form.is_valid():
            existing = network_profiles(membership)
            try:
                with transaction.atomic():
                    for key, (server, audience) in form.values().items():
                        if key not in existing and not server and audience is None:
                            continue  # nothing to say, nothing stored
                        profile_services.network_profile_set(
                            membership=membership,
                            network=key,
                            server=server,
                            approximate_audience=audience,
                        )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("connections:profiles", org_code=membership.organisation.code)
    else:
        form = ProfilesForm(initial=_initial(membership))
    context = {
        "membership": membership,
        "form": form,
        "next": _safe_next(request),
    }
    return render(request, "connections/profiles.html", context, status=422 if form.errors else 200)


def _safe_next(request: HttpRequest) -> str:
    """Where "Back" goes: a share screen of this site the person came from, else nowhere."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""
