from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from coro.accounts.models import User
from coro.orgs.selectors import memberships_of_user


def home(request: HttpRequest) -> HttpResponse:
    if not isinstance(request.user, User):
        return render(request, "core/landing.html")
    memberships = memberships_of_user(request.user)
    last = request.session.get("org_code")
    codes = [m.organisation.code for m in memberships]
    if last in codes:
        return redirect("content:feed", org_code=last)
    if len(codes) == 1:
        return redirect("content:feed", org_code=codes[0])
    return redirect("organisation_list")


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
