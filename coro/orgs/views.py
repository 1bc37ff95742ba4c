from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coro.accounts.forms import SignUpForm
from coro.accounts.models import User
from coro.accounts.ratelimits import TOO_MANY_ATTEMPTS, attempt_allowed
from coro.orgs import selectors, services


def home(request: HttpRequest) -> HttpResponse:
    """The landing page, or the feed of the organisation the person used last."""
    if not isinstance(request.user, User):
        return render(request, "core/landing.html")
    memberships = selectors.memberships_of_user(request.user)
    last = request.session.get("org_code")
    codes = [m.organisation.code for m in memberships]
    if last in codes:
        return redirect("content:feed", org_code=last)
    if len(codes) == 1:
        return redirect("content:feed", org_code=codes[0])
    return redirect("organisation_list")


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("content:feed", org_code=memberships[0].organisation.code)
    return render(request, "orgs/organisation_list.html", {"memberships": memberships})


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: the signed token is the proof."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as exc:
        return render(request, "orgs/invitation_invalid.html", {"reason": str(exc)}, status=404)
    existing_user = User.objects.filter(email=invitation.email).first()
    signed_in = request.user if isinstance(request.user, User) else None

    if signed_in is not None and signed_in.email != invitation.email:
        return render(
            request, "orgs/invitation_other_account.html", {"invitation": invitation}, status=403
        )
    if signed_in is None and existing_user is not None:
        messages.info(request, _("Sign in to accept the invitation."))
        query = urlencode({"next": request.path})
        return redirect(f"{reverse('accounts:login')}?{query}")

    form = SignUpForm(request.POST or None, email=invitation.email) if signed_in is None else None
    if request.method == "POST":
        # Per sender and per address invited; the same page whatever was typed.
        if not attempt_allowed(request, action="invitation_accept", key=invitation.email):
            messages.error(request, TOO_MANY_ATTEMPTS)
            if form is not None:  # shown again empty but for the name: nothing was checked
                form = SignUpForm(initial={"name": form.data.get("name", "")}, email=form.email)
            context = {"invitation": invitation, "form": form}
            return render(request, "orgs/invitation_accept.html", context, status=429)
        if signed_in is None and (form is None or not form.is_valid()):
            return render(
                request, "orgs/invitation_accept.html", {"invitation": invitation, "form": form}
            )
        try:
            # One transaction: no account is left behind without its membership when
            # another request (a double submit) used the invitation or the address first.
            with transaction.atomic():
                if signed_in is not None:
                    user = signed_in
                else:
                    assert form is not None
                    user = services.user_create(
                        email=invitation.email,
                        name=form.cleaned_data["name"],
                        password=form.cleaned_data["password"],
                        language=request.LANGUAGE_CODE,
                    )
                member = services.invitation_accept(invitation=invitation, user=user)
        except (services.InvitationError, ValidationError, IntegrityError):
            return render(request, "orgs/invitation_invalid.html", {"reason": "used"}, status=404)
        if signed_in is None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(name)s.") % {"name": member.organisation.name})
        return redirect("content:feed", org_code=member.organisation.code)
    return render(request, "orgs/invitation_accept.html", {"invitation": invitation, "form": form})
