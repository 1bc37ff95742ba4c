"""Reacting and commenting: thin views over ``community``. Each renders the changed part for
an htmx request, or sends the browser back to where it was."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coro.content import community
from coro.content.community_forms import CommentForm, CommentHideForm, ReactionForm
from coro.content.feed import posts_viewable
from coro.content.feed_views import post_detail_context
from coro.content.models import Comment, Post
from coro.core.redirects import safe_next
from coro.orgs.access import OrgRequest, org_object_or_404, org_view
from coro.orgs.models import Membership, Role


def _post_url(membership: Membership, post: Post, anchor: str = "") -> str:
    url = reverse("content:post_detail", args=[membership.organisation.code, post.code])
    return f"{url}#{anchor}" if anchor else url


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(safe_next(request, fallback))


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _comments_fragment(
    request: HttpRequest,
    membership: Membership,
    post: Post,
    *,
    form: CommentForm | None = None,
    status_message: str = "",
) -> HttpResponse:
    context = {
        "membership": membership,
        "post": post,
        "comments": community.comments_of(post),
        "form": form or CommentForm(),
        "status_message": status_message,
    }
    return render(request, "content/_comments.html", context)


@org_view()
@require_POST
def reaction_toggle(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(posts_viewable(membership), membership.organisation, code=code)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("That is not a reaction Coro knows."))
    kind = form.cleaned_data["kind"]
    try:
        added = community.reaction_toggle(post=post, membership=membership, kind=kind)
    except ValidationError as error:
        return HttpResponseBadRequest(_message(error))
    if not request.htmx:
        return _back(request, _post_url(membership, post, f"reactions-{post.code}"))
    bar = community.reaction_bar(post=post, membership=membership)
    kind_label = next(c.label for c in bar.counts if c.kind == kind)
    message = (
        _("You reacted: %(kind)s.") if added else _("You took back your reaction: %(kind)s.")
    ) % {"kind": kind_label}
    context = {
        "membership": membership,
        "bar": bar,
        "status_message": message,
        "next_url": request.POST.get("next", ""),
    }
    return render(request, "content/_reactions.html", context)


@org_view()
@require_POST
def comment_add(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(posts_viewable(membership), membership.organisation, code=code)
    form = CommentForm(request.POST)
    comment: Comment | None = None
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = community.comment_of(post, form.cleaned_data["parent"])
            if parent is None:
                # Shown on the main form: the reply form it came from is gone with it.
                form = CommentForm({"body": form.cleaned_data["body"]})
                form.is_valid()
                form.add_error(None, _("The comment you answered is no longer there."))
        if form.is_valid():
            try:
                comment = community.comment_add(
                    post=post, membership=membership, body=form.cleaned_data["body"], parent=parent
                )
            except ValidationError as error:
                form.add_error(None, error)
    if comment is not None:
        if request.htmx:
            return _comments_fragment(
                request, membership, post, status_message=_("Your comment is posted.")
            )
        return redirect(_post_url(membership, post, f"comment-{comment.code}"))
    if request.htmx:
        return _comments_fragment(request, membership, post, form=form)
    context = post_detail_context(membership, post.code, form=form)
    return render(request, "content/post_detail.html", context, status=400)


@org_view()
@require_POST
def comment_delete(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    comment = get_object_or_404(
        community.comments_in(membership.organisation), code=code, author=membership
    )
    post = comment.post
    community.comment_delete(comment=comment, membership=membership)
    if request.htmx:
        return _comments_fragment(
            request, membership, post, status_message=_("Your comment is deleted.")
        )
    return redirect(_post_url(membership, post, f"comments-{post.code}"))


@org_view(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def comment_hide(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    comment = get_object_or_404(
        community.comments_in(membership.organisation).select_related("author__user"), code=code
    )
    post = comment.post
    if comment.hidden_at is not None:
        return redirect(_post_url(membership, post, f"comment-{comment.code}"))
    form = CommentHideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community.comment_hide(
                comment=comment, membership=membership, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            return redirect(_post_url(membership, post, f"comment-{comment.code}"))
    context = {"membership": membership, "comment": comment, "post": post, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "content/comment_confirm_hide.html", context, status=status)
