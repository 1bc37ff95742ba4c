"""How often team figures are published, and their yearly privacy budget: admins only.

A change takes two steps: a preview of what it does to privacy and accuracy, next to what
is in effect this year, then a confirmed save (the service records it in the audit trail).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coro.analytics import selectors, services
from coro.analytics.forms import ReleaseSettingsConfirmForm, ReleaseSettingsForm
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role


def _render(
    request: HttpRequest,
    membership: Membership,
    *,
    form: ReleaseSettingsForm | None = None,
    preview: selectors.ReleaseSettingsPreview | None = None,
    confirm_form: ReleaseSettingsConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = membership.organisation
    state = selectors.release_settings_state(organisation)
    if form is None:
        initial = {"period": state.chosen.period, "epsilon_year": state.chosen.epsilon_year}
        form = ReleaseSettingsForm(initial=initial)
    context = {
        "membership": membership,
        "state": state,
        "form": form,
        "preview": preview,
        "confirm_form": confirm_form,
        "min_group_size": organisation.min_group_size,
    }
    return render(request, "analytics/release_settings.html", context, status=status)


@org_view(Role.ADMIN)
@require_GET
def release_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _render(request, membership)


def _preview(membership: Membership, form: ReleaseSettingsForm) -> selectors.ReleaseSettingsPreview:
    return selectors.release_settings_preview(
        membership.organisation,
        period=form.cleaned_data["period"],
        epsilon_year=form.cleaned_data["epsilon_year"],
    )


@org_view(Role.ADMIN)
@require_POST
def release_settings_preview(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Show what the change would do; nothing is saved."""
    form = ReleaseSettingsForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, form=form, status=400)
    confirm_form = ReleaseSettingsConfirmForm(
        initial={
            "period": form.cleaned_data["period"],
            "epsilon_year": form.cleaned_data["epsilon_year"],
        }
    )
    preview = _preview(membership, form)
    return _render(request, membership, form=form, preview=preview, confirm_form=confirm_form)


@org_view(Role.ADMIN)
@require_POST
def release_settings_save(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Save the previewed settings, once the admin has ticked the box."""
    organisation = membership.organisation
    form = ReleaseSettingsConfirmForm(request.POST)
    if not form.is_valid():
        values = ReleaseSettingsForm(request.POST)
        if not values.is_valid():
            return _render(request, membership, form=values, status=400)
        preview = _preview(membership, values)
        return _render(
            request, membership, form=values, preview=preview, confirm_form=form, status=400
        )
    applies_from = selectors.release_settings_applies_from(organisation)
    services.release_policy_update(
        organisation=organisation,
        actor=membership,
        period=form.cleaned_data["period"],
        epsilon_year=form.cleaned_data["epsilon_year"],
    )
    if applies_from is None:
        messages.success(request, _("The settings are saved. They apply from the next release."))
    else:
        messages.success(
            request,
            _(
                "The settings are saved. They apply from %(date)s: this year's figures keep "
                "the settings they started the year with."
            )
            % {"date": date_format(applies_from, "DATE_FORMAT")},
        )
    return redirect("analytics:release_settings", org_code=organisation.code)
