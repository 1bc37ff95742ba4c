from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coro.community import selectors, services
from coro.community.forms import GoalForm
from coro.community.models import Goal
from coro.community.months import month_key, month_parse
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership, Role


@org_view()
def thanks(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The monthly thank-you board: only people who chose to appear, alphabetically."""
    organisation = membership.organisation
    this_month = selectors.current_month(organisation)
    asked = request.GET.get("month")
    month = this_month
    if asked is not None:
        parsed = month_parse(asked)
        if parsed is None:
            messages.error(request, _("Months look like 2026-11. Here is this month."))
            return redirect("community:thanks", org_code=organisation.code)
        if parsed > this_month:
            messages.info(request, _("That month hasn't come yet. Here is this month."))
            return redirect("community:thanks", org_code=organisation.code)
        month = parsed
    board = selectors.thanks_board(organisation, month)
    context = {
        "membership": membership,
        "board": board,
        "is_current": month == this_month,
        "previous_key": month_key(board.previous) if board.previous else None,
        "next_key": month_key(board.next) if board.next else None,
    }
    return render(request, "community/thanks.html", context)


@org_view()
def goals(request: HttpRequest, membership: Membership) -> HttpResponse:
    progress = selectors.goals_overview(membership.organisation)
    context = {
        "membership": membership,
        "running": [p for p in progress if p.state != selectors.GoalState.ENDED],
        "ended": [p for p in progress if p.state == selectors.GoalState.ENDED],
        "min_group_size": membership.organisation.min_group_size,
    }
    return render(request, "community/goals.html", context)


def _goal_of(membership: Membership, code: str) -> Goal:
    return org_object_or_404(
        Goal.objects.select_related("team", "organisation"), membership.organisation, code=code
    )


@org_view(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    form = GoalForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(organisation=organisation, actor=membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The goal is set."))
            return redirect("community:goals", org_code=organisation.code)
    context = {"membership": membership, "form": form, "goal": None}
    return render(request, "community/goal_form.html", context, status=400 if form.errors else 200)


@org_view(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    goal = _goal_of(membership, code)
    form = GoalForm(request.POST or None, instance=goal, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, actor=membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The goal is saved."))
            return redirect("community:goals", org_code=membership.organisation.code)
    goal = _goal_of(membership, code)  # as saved, not as typed
    context = {"membership": membership, "form": form, "goal": goal}
    return render(request, "community/goal_form.html", context, status=400 if form.errors else 200)


@org_view(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    goal = _goal_of(membership, code)
    if request.method == "POST":
        services.goal_delete(goal=goal, actor=membership)
        messages.success(request, _("The goal “%(title)s” is deleted.") % {"title": goal.title})
        return redirect("community:goals", org_code=membership.organisation.code)
    return render(request, "community/goal_delete.html", {"membership": membership, "goal": goal})
