"""The editors' pages: the list of posts by state, the editor, and the state changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coro.content import selectors, services, workflow
from coro.content.forms import PostForm, form_errors_add
from coro.content.models import Post
from coro.content.selectors import notification_about
from coro.notifications.figures import post_reach
from coro.orgs.access import OrgRequest, org_object_or_404, org_view
from coro.orgs.models import Membership, Role

PAGE_SIZE = 20


def tab_labels() -> dict[str, str]:
    """The tabs' names in the active language."""
    return {
        "draft": _("Drafts"),
        "in_review": _("In review"),
        "scheduled": _("Scheduled"),
        "live": _("Live"),
        "archived": _("Archived"),
        "declined": _("Declined"),
    }


@org_view(Role.EDITOR)
def post_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    tab = request.GET.get("status", "draft")
    if tab not in selectors.LIST_TABS:
        tab = "draft"
    counts = selectors.posts_tab_counts(organisation)
    labels = tab_labels()
    tabs = [
        {"key": key, "label": labels[key], "count": counts[key], "current": key == tab}
        for key in selectors.LIST_TABS
    ]
    page = Paginator(selectors.posts_in_tab(organisation, tab), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"membership": membership, "page": page, "tabs": tabs, "tab": tab}
    return render(request, "content/post_list.html", context)


def _button_applied(request: HttpRequest, post: Post, by: Membership) -> Post:
    """The editor's button, applied to the saved post by the workflow."""
    if "publish" in request.POST:
        return workflow.post_publish_or_schedule(post=post, by=by)
    if "schedule" in request.POST:
        return workflow.post_publish_or_schedule(post=post, by=by, schedule=True)
    return post


def _saved_message(post: Post) -> str:
    if post.status == Post.Status.PUBLISHED:
        return _("The post is published.")
    if post.status == Post.Status.SCHEDULED:
        return _("The post is scheduled.")
    return _("The draft is saved.") if post.status == Post.Status.DRAFT else _("The post is saved.")


def _editor(
    request: HttpRequest, membership: Membership, form: PostForm, post: Post | None
) -> HttpResponse:
    context = {"membership": membership, "form": form, "post": post}
    if post is not None and post.published_at is not None:
        # How people heard of it, in aggregate only (never who).
        context["reach"] = post_reach(
            organisation=membership.organisation, about=notification_about(post)
        )
    return render(request, "content/post_form.html", context)


@org_view(Role.EDITOR)
def post_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PostForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                post = services.post_create(author=membership, **form.post_data())
                post = _button_applied(request, post, membership)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _saved_message(post))
            if post.status == Post.Status.DRAFT:
                # A saved draft may get its images now: the editor opens at the images.
                edit = reverse("content:post_edit", args=[membership.organisation.code, post.code])
                return redirect(f"{edit}#post-images-{post.code}")
            return redirect("content:post_list", org_code=membership.organisation.code)
    return _editor(request, membership, form, None)


@org_view(Role.EDITOR)
def post_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    form = PostForm(request.POST or None, organisation=membership.organisation, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = services.post_update(post=post, by=membership, **form.post_data())
                saved = _button_applied(request, saved, membership)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _saved_message(saved))
            return redirect("content:post_list", org_code=membership.organisation.code)
    return _editor(request, membership, form, post)


def _list_url(membership: Membership, tab: str | None) -> str:
    url = reverse("content:post_list", args=[membership.organisation.code])
    return f"{url}?status={tab}" if tab in selectors.LIST_TABS else url


def _moved(
    request: OrgRequest, membership: Membership, post: Post, to: Post.Status, message: str
) -> HttpResponse:
    """Apply a state change. With htmx, the table row, or, once the post has left the tab
    the row was in, the tab reloaded with the message; otherwise back to the list."""
    tab = request.POST.get("tab")
    error = ""
    try:
        post = workflow.post_transition(post=post, to=to, by=membership)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if request.htmx and (error or selectors.post_in_tab(post, tab)):
        context = {"membership": membership, "post": post, "row_error": error, "tab": tab}
        return render(request, "content/_post_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _list_url(membership, tab)
        return response
    return redirect(_list_url(membership, tab))


@org_view(Role.EDITOR)
@require_POST
def post_publish(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    return _moved(request, membership, post, Post.Status.PUBLISHED, _("The post is published."))


@org_view(Role.EDITOR)
@require_http_methods(["GET", "POST"])
def post_unpublish(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    """Back to draft (from published, scheduled, in review or archived). A post people can
    see or that is about to go out leaves the feed: GET asks first, POST does it."""
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    if request.method == "POST":
        return _moved(request, membership, post, Post.Status.DRAFT, _("The post is back to draft."))
    tab = request.GET.get("tab")
    context = {
        "membership": membership,
        "post": post,
        "tab": tab if tab in selectors.LIST_TABS else None,
    }
    return render(request, "content/post_confirm_draft.html", context)


@org_view(Role.EDITOR)
def post_archive(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    """Archiving asks first (GET shows what it means); POST archives."""
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    if request.method == "POST":
        try:
            workflow.post_transition(post=post, to=Post.Status.ARCHIVED, by=membership)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, _("The post is archived."))
        return redirect("content:post_list", org_code=membership.organisation.code)
    context = {"membership": membership, "post": post}
    return render(request, "content/post_confirm_archive.html", context)
