from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.accounts.forms import SignUpForm
from coro.accounts.models import User
from coro.orgs import selectors, services
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.forms import InvitationForm, MembershipForm, TeamForm
from coro.orgs.models import Invitation, Membership, Role


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("content:feed", org_code=memberships[0].organisation.code)
    return render(request, "orgs/organisation_list.html", {"memberships": memberships})


def _people_context(membership: Membership) -> dict[str, object]:
    organisation = membership.organisation
    return {
        "membership": membership,
        "members": selectors.members_of_organisation(organisation),
        "teams": selectors.teams_of_organisation(organisation),
        "invitations": selectors.pending_invitations(organisation),
        "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
    }


@org_view(Role.ADMIN)
def people(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = _people_context(membership)
    context["invitation_form"] = InvitationForm(organisation=membership.organisation)
    context["team_form"] = TeamForm(organisation=membership.organisation)
    return render(request, "orgs/people.html", context)


@org_view(Role.ADMIN)
@require_POST
def invitation_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = InvitationForm(request.POST, organisation=membership.organisation)
    if form.is_valid():
        assert isinstance(request.user, User)
        services.invitation_create(
            organisation=membership.organisation,
            email=form.cleaned_data["email"],
            role=Role(form.cleaned_data["role"]),
            team=form.cleaned_data["team"],
            invited_by=request.user,
        )
        messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
        return redirect("orgs:people", org_code=membership.organisation.code)
    context = _people_context(membership)
    context["invitation_form"] = form
    context["team_form"] = TeamForm(organisation=membership.organisation)
    return render(request, "orgs/people.html", context, status=400)


@org_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    invitation = org_object_or_404(
        Invitation.objects.filter(accepted_at__isnull=True), membership.organisation, code=code
    )
    invitation.delete()
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("orgs:people", org_code=membership.organisation.code)


@org_view(Role.ADMIN)
@require_POST
def team_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = TeamForm(request.POST, organisation=membership.organisation)
    if form.is_valid():
        services.team_create(organisation=membership.organisation, name=form.cleaned_data["name"])
        messages.success(request, _("Team created."))
        return redirect("orgs:people", org_code=membership.organisation.code)
    context = _people_context(membership)
    context["invitation_form"] = InvitationForm(organisation=membership.organisation)
    context["team_form"] = form
    return render(request, "orgs/people.html", context, status=400)


@org_view(Role.ADMIN)
def member_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    member = org_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        membership.organisation,
        code=code,
    )
    # Read before validation: a valid ModelForm has already copied the new role onto member.
    was_admin = member.role == Role.ADMIN
    form = MembershipForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        is_last_admin = (
            was_admin
            and form.cleaned_data["role"] != Role.ADMIN
            and not Membership.objects.filter(organisation=member.organisation, role=Role.ADMIN)
            .exclude(pk=member.pk)
            .exists()
        )
        if is_last_admin:
            form.add_error("role", _("An organisation needs at least one admin."))
        else:
            services.membership_update(
                membership=member,
                role=Role(form.cleaned_data["role"]),
                team=form.cleaned_data["team"],
                actor=membership,
            )
            messages.success(request, _("Saved."))
            return redirect("orgs:people", org_code=membership.organisation.code)
    return render(
        request, "orgs/member_edit.html", {"membership": membership, "member": member, "form": form}
    )


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
