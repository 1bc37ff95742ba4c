"""The person's own pages: what the organisation sees, their own impact, recognition, working
hours, their data, and erasing their account (charter rules 3, 7 and 9)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.accounts.models import User
from coro.accounts.ratelimits import attempt_allowed
from coro.core.downloads import zip_response
from coro.notifications import hours
from coro.notifications.services import working_hours_update
from coro.orgs.access import org_view
from coro.orgs.models import Membership
from coro.privacy import export, selectors, services
from coro.privacy.forms import WEEKDAYS, AccountDeleteForm, WorkingHoursForm
from coro.program.selectors import is_enrolled


@org_view()
def transparency(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = {
        "membership": membership,
        "seen": selectors.transparency_of(membership),
        "organisation": membership.organisation,
    }
    return render(request, "privacy/transparency.html", context)


@org_view()
def impact(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The person's own tracked links and the visits each brought. The URL names nobody:
    whoever opens it sees their own, and only their own."""
    context = {
        "membership": membership,
        "impact": selectors.impact_of(membership, request.GET.get("page")),
        "enrolled": is_enrolled(membership),
    }
    return render(request, "privacy/impact.html", context)


@org_view()
@require_POST
def recognition(request: HttpRequest, membership: Membership) -> HttpResponse:
    choice = request.POST.get("opt_in")
    if choice not in ("0", "1"):
        return HttpResponseBadRequest()
    services.recognition_set(membership=membership, opt_in=choice == "1")
    if choice == "1":
        messages.success(request, _("Your name may now appear in recognition."))
    else:
        messages.success(request, _("Your name will not appear in recognition."))
    return redirect("privacy:transparency", org_code=membership.organisation.code)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def working_hours(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = WorkingHoursForm.for_user(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            working_hours_update(
                user=user,
                work_days="".join(form.cleaned_data["work_days"]),
                work_start=form.cleaned_data["work_start"],
                work_end=form.cleaned_data["work_end"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            user.refresh_from_db()  # a rejected change must not show as the current one
        else:
            messages.success(request, _("Your working hours were saved."))
            return redirect("me:working_hours")
    context = {
        "form": form,
        "next_window": hours.next_working_window_start(user, timezone.now()),
        "user_zone": hours.user_zone(user),
        "day_names": [name for day, name in WEEKDAYS if day in user.work_days],
    }
    return render(
        request, "privacy/working_hours.html", context, status=400 if form.errors else 200
    )


@login_required
def data(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":
        return render(request, "privacy/data.html")
    filename = f"coro-my-data-{timezone.localdate().isoformat()}.zip"
    return zip_response(filename, export.personal_data_zip(user))


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    blockers = services.erasure_blockers(user)
    form = AccountDeleteForm(
        request.POST or None,
        user=user,
        # The password check is limited per account and per sender (ACCOUNT_RATE_LIMITS).
        password_check_allowed=lambda: attempt_allowed(
            request, action="erasure_password", user=user
        ),
    )
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            with transaction.atomic():
                services.account_erase(user=user)
                logout(request)
        except services.ErasureRefused as exc:
            blockers = exc.organisations
        else:
            messages.success(request, _("Your account was erased. Goodbye, and thank you."))
            return redirect("accounts:login")
    context = {"form": form, "blockers": blockers}
    status = 400 if request.method == "POST" else 200
    if form.has_error("password", code="rate_limited"):
        status = 429
    return render(request, "privacy/delete.html", context, status=status)
