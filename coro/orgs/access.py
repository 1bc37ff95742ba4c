"""The one door to organisation data.

Every view that shows or changes something of an organisation resolves the
organisation through ``org_view``. A person who is not a member gets 404, as if
the organisation did not exist; a member whose role is too low gets 403. A member an
admin deactivated gets 403 and a page saying so (they know the organisation exists, and
the page tells them where their own data still is), never the organisation's content.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from coro.orgs.models import Membership, Organisation, Role

M = TypeVar("M", bound=Model)
# What counts as a second factor (recovery codes only back these up).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
OrgView = Callable[..., HttpResponse]


class OrgRequest(HttpRequest):
    """A request as the views see it: htmx details (django-htmx's middleware), and, inside an
    organisation, the person's membership, which ``org_view`` attaches."""

    htmx: HtmxDetails
    coro_membership: Membership


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership ``org_view`` attached to this request, if it is an organisation page."""
    return cast(Membership | None, getattr(request, "coro_membership", None))


def membership_for(request: HttpRequest, org_code: str) -> Membership:
    """The signed-in person's membership in the organisation, or 404."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organisation", "user", "team").get(
            organisation__code=org_code, user=request.user
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def deactivated_response(request: HttpRequest, membership: Membership) -> HttpResponse:
    """What a deactivated member gets on every page of the organisation: a 403 page that
    says so. The organisation is no longer remembered as the one they used last."""
    if request.session.get("org_code") == membership.organisation.code:
        del request.session["org_code"]
    return render(
        request,
        "orgs/membership_deactivated.html",
        {"organisation": membership.organisation},
        status=403,
    )


def two_factor_setup_needed(membership: Membership) -> bool:
    """The organisation asks its admins and editors for a second factor (a passkey or an
    authenticator app), and this admin or editor has none yet. Employees are never asked."""
    return (
        membership.organisation.two_factor_required
        and membership.has_role(Role.EDITOR)
        and not is_mfa_enabled(membership.user, SECOND_FACTORS)
    )


def two_factor_setup_redirect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Send the person to set up two-factor authentication, saying why."""
    messages.warning(
        request,
        _(
            "%(organisation)s asks admins and editors to use two-factor authentication. "
            "Add a passkey or an authenticator app to continue."
        )
        % {"organisation": membership.organisation.name},
    )
    url = reverse("mfa_index")
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def org_object_or_404(queryset: QuerySet[M], organisation: Organisation, **lookup: Any) -> M:
    """An object of this organisation, or 404: never one of another organisation."""
    return get_object_or_404(queryset, organisation=organisation, **lookup)


def org_view(role: Role = Role.EMPLOYEE) -> Callable[[OrgView], OrgView]:
    """Decorate a view taking ``(request, membership, **url_kwargs)`` under ``/o/<org_code>/``."""

    def decorator(view: OrgView) -> OrgView:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org_code: str, **kwargs: Any) -> HttpResponse:
            membership = membership_for(request, org_code)
            if membership.deactivated_at is not None:
                return deactivated_response(request, membership)
            if not membership.has_role(role):
                raise PermissionDenied
            if two_factor_setup_needed(membership):
                return two_factor_setup_redirect(request, membership)
            cast(OrgRequest, request).coro_membership = membership
            if request.session.get("org_code") != org_code:
                request.session["org_code"] = org_code
            # The organisation's dates and times are shown in its time zone.
            with timezone.override(membership.organisation.time_zone):
                return view(request, membership, **kwargs)

        wrapper.org_scoped = True  # type: ignore[attr-defined]  # read by the tenancy test
        return wrapper

    return decorator
