"""Proposals: employees propose posts, colleagues support them on the board, editors decline
with a message (approving is the editor's form: "Approve and publish")."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.content import community, selectors, workflow
from coro.content import proposals as proposal_services
from coro.content.feed import with_community
from coro.content.forms import form_errors_add
from coro.content.markdown import render_markdown
from coro.content.models import Post
from coro.content.proposal_forms import DeclineForm, ProposalForm
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership, Role

PAGE_SIZE = 10


@org_view()
def proposals(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The board every member sees: proposals in review, newest first."""
    waiting = with_community(selectors.proposals_in_review(membership.organisation))
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [
        {
            "post": post,
            "name": selectors.proposer_name(post),
            "body_html": render_markdown(post.body),
            "bar": community.reaction_bar(post=post, membership=membership),
            "comment_count": getattr(post, "comment_count", 0),
        }
        for post in page
    ]
    context = {"membership": membership, "page": page, "cards": cards}
    return render(request, "content/proposal_board.html", context)


@org_view()
def proposal_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = ProposalForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_services.proposal_create(by=membership, **form.post_data())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("Thanks! Your proposal is on the board, waiting for an editor.")
            )
            return redirect("content:proposal_list_mine", org_code=membership.organisation.code)
    context = {"membership": membership, "form": form, "post": None}
    return render(request, "content/proposal_form.html", context)


@org_view()
def proposal_list_mine(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = Paginator(selectors.proposals_of(membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "content/proposal_list_mine.html", {"membership": membership, "page": page}
    )


def _own_proposal(membership: Membership, code: str) -> Post:
    """The person's own proposal (404 for anyone else's: nobody else edits it here)."""
    return org_object_or_404(
        Post.objects.filter(proposed_by=membership), membership.organisation, code=code
    )


@org_view()
def proposal_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    post = _own_proposal(membership, code)
    form = ProposalForm(request.POST or None, organisation=membership.organisation, post=post)
    editable = proposal_services.proposal_editable_by(post, membership)
    if request.method == "POST" and editable and form.is_valid():
        try:
            post = proposal_services.proposal_update(
                post=post, by=membership, resubmit="resubmit" in request.POST, **form.post_data()
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("Your proposal is back in review.")
                if "resubmit" in request.POST
                else _("Your proposal is saved."),
            )
            return redirect("content:proposal_list_mine", org_code=membership.organisation.code)
    context = {"membership": membership, "form": form, "post": post, "editable": editable}
    return render(request, "content/proposal_form.html", context)


@org_view(Role.EDITOR)
def proposal_decline(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """Decline a proposal with a message to the proposer (required)."""
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_services.proposal_decline(
                post=post, by=membership, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("The proposal is declined; the proposer sees your message.")
            )
            return redirect("content:post_list", org_code=membership.organisation.code)
    context = {
        "membership": membership,
        "form": form,
        "post": post,
        "declinable": proposal_services.proposal_declinable(post),
    }
    return render(request, "content/proposal_decline.html", context)


@org_view()
@require_POST
def proposal_resubmit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """Send a declined proposal back for review, as it is."""
    post = _own_proposal(membership, code)
    try:
        workflow.post_transition(post=post, to=Post.Status.IN_REVIEW, by=membership)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Your proposal is back in review."))
    return redirect("content:proposal_list_mine", org_code=membership.organisation.code)
