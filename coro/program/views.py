from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.orgs.access import org_view
from coro.orgs.models import Membership
from coro.program import selectors, services


@org_view()
def terms(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = {
        "membership": membership,
        "terms": selectors.terms_current(membership.organisation),
        "participation": selectors.participation_of(membership),
    }
    return render(request, "program/terms.html", context)


@org_view()
@require_POST
def join(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = selectors.terms_current(membership.organisation)
    if current is None:
        raise Http404
    if request.POST.get("version") != str(current.version) or "accept" not in request.POST:
        # The person must accept the exact version they read, explicitly.
        messages.error(request, _("Please read the terms and tick the box to accept them."))
        return redirect("program:terms", org_code=membership.organisation.code)
    services.program_join(membership=membership, terms=current)
    messages.success(request, _("Welcome to the program. You can leave at any moment."))
    return redirect("content:feed", org_code=membership.organisation.code)


@org_view()
@require_POST
def leave(request: HttpRequest, membership: Membership) -> HttpResponse:
    services.program_leave(membership=membership)
    messages.success(request, _("You have left the program. Nothing else changes for you."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("content:feed", org_code=membership.organisation.code)
