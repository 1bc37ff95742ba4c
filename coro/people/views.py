"""The People page for admins: members, their roles and teams, invitations and teams."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.accounts.models import User
from coro.orgs import selectors
from coro.orgs import services as org_services
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Invitation, Membership, Role
from coro.people import selectors as people_selectors
from coro.people import services
from coro.people.forms import InvitationForm, MembershipForm, TeamForm


def _people_context(membership: Membership) -> dict[str, object]:
    organisation = membership.organisation
    return {
        "membership": membership,
        "members": selectors.members_of_organisation(organisation),
        "teams": selectors.teams_of_organisation(organisation),
        "invitations": people_selectors.pending_invitation_rows(organisation),
        "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
    }


@org_view(Role.ADMIN)
def people(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = _people_context(membership)
    context["invitation_form"] = InvitationForm(organisation=membership.organisation)
    context["team_form"] = TeamForm(organisation=membership.organisation)
    return render(request, "people/people.html", context)


@org_view(Role.ADMIN)
@require_POST
def invitation_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = InvitationForm(request.POST, organisation=membership.organisation)
    if form.is_valid():
        assert isinstance(request.user, User)
        org_services.invitation_create(
            organisation=membership.organisation,
            email=form.cleaned_data["email"],
            role=Role(form.cleaned_data["role"]),
            team=form.cleaned_data["team"],
            invited_by=request.user,
        )
        messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
        return redirect("people:people", org_code=membership.organisation.code)
    context = _people_context(membership)
    context["invitation_form"] = form
    context["team_form"] = TeamForm(organisation=membership.organisation)
    return render(request, "people/people.html", context, status=400)


@org_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    invitation = org_object_or_404(
        Invitation.objects.filter(accepted_at__isnull=True), membership.organisation, code=code
    )
    org_services.invitation_revoke(invitation=invitation)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("people:people", org_code=membership.organisation.code)


@org_view(Role.ADMIN)
@require_POST
def invitation_resend(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    invitation = org_object_or_404(
        Invitation.objects.filter(accepted_at__isnull=True), membership.organisation, code=code
    )
    try:
        invitation = org_services.invitation_resend(invitation=invitation)
    except org_services.InvitationError as exc:
        if str(exc) == "recent":
            messages.info(request, _("It was sent a moment ago. Give it a few minutes."))
        else:
            messages.error(request, _("This invitation was accepted or withdrawn meanwhile."))
    else:
        messages.success(
            request,
            _("Invitation sent again to %(email)s. The link now works until %(date)s.")
            % {
                "email": invitation.email,
                "date": date_format(localtime(invitation.expires_at), "DATE_FORMAT"),
            },
        )
    return redirect("people:people", org_code=membership.organisation.code)


@org_view(Role.ADMIN)
@require_POST
def team_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = TeamForm(request.POST, organisation=membership.organisation)
    if form.is_valid():
        org_services.team_create(
            organisation=membership.organisation, name=form.cleaned_data["name"]
        )
        messages.success(request, _("Team created."))
        return redirect("people:people", org_code=membership.organisation.code)
    context = _people_context(membership)
    context["invitation_form"] = InvitationForm(organisation=membership.organisation)
    context["team_form"] = form
    return render(request, "people/people.html", context, status=400)


@org_view(Role.ADMIN)
def member_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    member = org_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        membership.organisation,
        code=code,
    )
    form = MembershipForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=member,
                role=Role(form.cleaned_data["role"]),
                team=form.cleaned_data["team"],
                actor=membership,
            )
        except org_services.LastAdminError:
            form.add_error("role", _("An organisation needs at least one admin."))
        else:
            messages.success(request, _("Saved."))
            return redirect("people:people", org_code=membership.organisation.code)
    return render(
        request,
        "people/member_edit.html",
        {"membership": membership, "member": member, "form": form},
    )


def _member_of(membership: Membership, code: str) -> Membership:
    return org_object_or_404(
        Membership.objects.select_related("user", "organisation", "team"),
        membership.organisation,
        code=code,
    )


@org_view(Role.ADMIN)
@require_POST
def member_deactivate(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    member = _member_of(membership, code)
    try:
        services.member_deactivate(membership=member, actor=membership)
    except org_services.LastAdminError:
        messages.error(request, _("An organisation needs at least one active admin."))
    except services.OwnMembershipError:
        messages.error(request, _("You can't deactivate yourself. Another admin can."))
    else:
        messages.success(
            request, _("%(name)s's access is deactivated.") % {"name": member.user.name}
        )
    return redirect("people:member_edit", org_code=membership.organisation.code, code=code)


@org_view(Role.ADMIN)
@require_POST
def member_reactivate(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    member = _member_of(membership, code)
    services.member_reactivate(membership=member, actor=membership)
    messages.success(request, _("%(name)s has access again.") % {"name": member.user.name})
    return redirect("people:member_edit", org_code=membership.organisation.code, code=code)


@org_view(Role.ADMIN)
@require_POST
def member_remove(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    member = _member_of(membership, code)
    try:
        services.member_remove(membership=member, actor=membership)
    except org_services.LastAdminError:
        messages.error(request, _("An organisation needs at least one active admin."))
    except services.OwnMembershipError:
        messages.error(request, _("You can't remove yourself. Another admin can."))
    else:
        messages.success(
            request,
            _("%(name)s is no longer a member of the organisation.") % {"name": member.user.name},
        )
        return redirect("people:people", org_code=membership.organisation.code)
    return redirect("people:member_edit", org_code=membership.organisation.code, code=code)
