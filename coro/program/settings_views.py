"""The organisation's settings: the employment disclosure and the privacy threshold.

Editors may reword the disclosure; only admins switch it off (with a reason) or on, and
change the smallest group whose numbers are shown. Every change goes to the audit trail.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.orgs.access import org_view
from coro.orgs.disclosure import disclosure_wordings_named
from coro.orgs.models import Membership, Role
from coro.program import services
from coro.program.forms import DisclosureForm, DisclosureOffForm, PrivacyForm


def _render(
    request: HttpRequest,
    membership: Membership,
    *,
    disclosure_form: DisclosureForm | None = None,
    off_form: DisclosureOffForm | None = None,
    privacy_form: PrivacyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = membership.organisation
    context = {
        "membership": membership,
        "organisation": organisation,
        "previews": disclosure_wordings_named(organisation),
        "disclosure_form": disclosure_form or DisclosureForm(organisation=organisation),
        "off_form": off_form or DisclosureOffForm(),
        "privacy_form": privacy_form
        or PrivacyForm(initial={"min_group_size": organisation.min_group_size}),
        "floor": settings.MIN_GROUP_SIZE_FLOOR,
    }
    return render(request, "program/settings.html", context, status=status)


def _back(membership: Membership) -> HttpResponse:
    return redirect("program:settings", org_code=membership.organisation.code)


@org_view(Role.EDITOR)
def settings_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _render(request, membership)


@org_view(Role.EDITOR)
@require_POST
def disclosure_update(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = DisclosureForm(request.POST, organisation=membership.organisation)
    if not form.is_valid():
        return _render(request, membership, disclosure_form=form, status=400)
    services.disclosure_update(
        organisation=membership.organisation,
        actor=membership,
        disclosure=form.cleaned_data["disclosure"],
    )
    messages.success(request, _("The disclosure is saved."))
    return _back(membership)


@org_view(Role.ADMIN)
@require_POST
def disclosure_disable(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = DisclosureOffForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, off_form=form, status=400)
    services.disclosure_disable(
        organisation=membership.organisation, actor=membership, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("The disclosure is switched off. Everyone can read why on their transparency page."),
    )
    return _back(membership)


@org_view(Role.ADMIN)
@require_POST
def disclosure_enable(request: HttpRequest, membership: Membership) -> HttpResponse:
    services.disclosure_enable(organisation=membership.organisation, actor=membership)
    messages.success(request, _("The disclosure is switched on."))
    return _back(membership)


@org_view(Role.ADMIN)
@require_POST
def privacy_update(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PrivacyForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, privacy_form=form, status=400)
    services.privacy_update(
        organisation=membership.organisation,
        actor=membership,
        min_group_size=form.cleaned_data["min_group_size"],
    )
    messages.success(request, _("The privacy setting is saved."))
    return _back(membership)
