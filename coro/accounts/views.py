"""The profile, the language switch and the rate-limit page. Logging in and out and
resetting a password are django-allauth's views (coro/accounts/urls.py, allauth.urls)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.accounts import services
from coro.accounts.cookies import set_language_cookie
from coro.accounts.forms import ProfileForm
from coro.accounts.models import User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.profile_update(
            user=request.user,
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
        )
        response = redirect("accounts:profile")
        if user.language:
            translation.activate(user.language)
            set_language_cookie(response, user.language)
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        messages.success(request, _("Your profile was saved."))
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account when signed in."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if isinstance(request.user, User):
        services.language_set(user=request.user, language=language)
    response = redirect(next_url)
    set_language_cookie(response, language)
    return response


def rate_limited(request: HttpRequest) -> HttpResponse:
    """What allauth answers when a rate limit is reached (``handler429`` in coro/urls.py).
    The same page for every address, whether or not an account has it."""
    return render(request, "accounts/rate_limited.html", status=429)
