"""What reaches the person by e-mail and how often (signed in), and the one-click unsubscribe
link of every e-mail (no sign-in needed: the link's signed token says whom it is for)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coro.accounts.models import User
from coro.notifications import hours
from coro.notifications.forms import PreferencesForm
from coro.notifications.models import Notification
from coro.notifications.preferences import preferences_update, rhythms_of
from coro.notifications.unsubscribe import BadToken, unsubscribe_apply, unsubscribe_read


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm(request.POST or None, rhythms=rhythms_of(user))
    if request.method == "POST" and form.is_valid():
        preferences_update(user=user, rhythms=form.rhythms())
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("notifications:preferences")
    context = {
        "form": form,
        "working_days": bool(hours.working_days(user)),
        "next_window": hours.next_working_window_start(user, timezone.now()),
    }
    return render(
        request, "notifications/preferences.html", context, status=400 if form.errors else 200
    )


# Exempt from CSRF on purpose, and only this view: mail programs follow RFC 8058 and POST
# "List-Unsubscribe=One-Click" to the link straight from the e-mail, with no cookie and no
# CSRF token. What protects it is the signed token in the address, which only Coro can make
# and which can do one thing only: stop the e-mail of its kinds for its person.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        unsubscription = unsubscribe_read(token)
    except BadToken:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    labels = [Notification.Kind(kind).label for kind in unsubscription.kinds]
    if request.method == "POST":
        unsubscribe_apply(unsubscription)
        return render(request, "notifications/unsubscribe_done.html", {"labels": labels})
    return render(request, "notifications/unsubscribe.html", {"labels": labels})
