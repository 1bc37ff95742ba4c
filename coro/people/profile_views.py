"""The organisation's profile, for admins: name, logo, default language, time zone and
working hours."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role
from coro.people.profile_forms import OrganisationProfileForm
from coro.people.profile_services import organisation_profile_update


@org_view(Role.ADMIN)
def organisation_profile(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    form = OrganisationProfileForm(
        request.POST or None, request.FILES or None, organisation=organisation
    )
    if request.method == "POST":
        if form.is_valid():
            organisation_profile_update(
                organisation=organisation,
                actor=membership,
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
                logo_png=form.cleaned_data["logo"],
                remove_logo=bool(form.cleaned_data.get("remove_logo")),
                work_days=form.cleaned_data["work_days"],
                work_start=form.cleaned_data["work_start"],
                work_end=form.cleaned_data["work_end"],
            )
            messages.success(request, _("The organisation's profile is saved."))
            return redirect("people:organisation_profile", org_code=organisation.code)
        status = 400
    else:
        status = 200
    context = {"membership": membership, "form": form, "organisation": organisation}
    return render(request, "people/organisation_profile.html", context, status=status)
