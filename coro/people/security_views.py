"""The organisation's security settings, for admins: whether admins and editors must use
two-factor authentication."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coro.accounts.models import User
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role
from coro.people.security_forms import TwoFactorRequirementForm
from coro.people.security_selectors import editors_without_second_factor
from coro.people.security_services import two_factor_requirement_set


@org_view(Role.ADMIN)
def security(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    assert isinstance(request.user, User)
    form = TwoFactorRequirementForm(
        # An unticked box sends nothing: a POST is a POST even when empty.
        request.POST if request.method == "POST" else None,
        admin=request.user,
        initial={"two_factor_required": organisation.two_factor_required},
    )
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["two_factor_required"]
        two_factor_requirement_set(organisation=organisation, required=required, actor=membership)
        if required:
            messages.success(request, _("Admins and editors now need two-factor authentication."))
        else:
            messages.success(request, _("Two-factor authentication is now each person's choice."))
        return redirect("people:security", org_code=organisation.code)
    context = {
        "membership": membership,
        "form": form,
        "organisation": organisation,
        "without_second_factor": editors_without_second_factor(organisation),
    }
    return render(request, "people/security.html", context, status=400 if form.errors else 200)
