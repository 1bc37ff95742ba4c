"""The one door to organisation data.

Every view that shows or changes something of an organisation resolves the
organisation through ``org_view``. A person who is not a member gets 404, as if
the organisation did not exist; a member whose role is too low gets 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from coro.orgs.models import Membership, Organisation, Role

M = TypeVar("M", bound=Model)
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
            if not membership.has_role(role):
                raise PermissionDenied
            cast(OrgRequest, request).coro_membership = membership
            if request.session.get("org_code") != org_code:
                request.session["org_code"] = org_code
            return view(request, membership, **kwargs)

        wrapper.org_scoped = True  # type: ignore[attr-defined]  # read by the tenancy test
        return wrapper

    return decorator
