"""The editors' pages: the list of posts by state, the editor, and the state changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.content import selectors, services
from coro.content.forms import PostForm, form_errors_add
from coro.content.models import Post
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


def _apply_action(request: HttpRequest, post: Post, form: PostForm, by: Membership) -> str:
    """The button the editor pressed, applied to the saved post; the message to show."""
    now = timezone.now()
    if "publish" in request.POST:
        if post.status != Post.Status.PUBLISHED:
            services.post_transition(post=post, to=Post.Status.PUBLISHED, by=by, now=now)
        return _("The post is published.")
    if "schedule" in request.POST:
        if post.publish_at is None:
            raise ValidationError({"publish_at": _("Pick when it should go out.")})
        if post.publish_at <= now:  # a time already past means now
            services.post_transition(post=post, to=Post.Status.PUBLISHED, by=by, now=now)
            return _("The post is published.")
        if post.status != Post.Status.SCHEDULED:
            services.post_transition(post=post, to=Post.Status.SCHEDULED, by=by, now=now)
        return _("The post is scheduled.")
    return _("The post is saved.") if post.status != Post.Status.DRAFT else _("The draft is saved.")


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _editor_context(membership: Membership, form: PostForm, post: Post | None) -> dict[str, object]:
    return {
        "membership": membership,
        "form": form,
        "post": post,
        # The image manager, once it exists (its own views handle uploads).
        "images_partial": post is not None and _template_exists("content/_post_images.html"),
    }


@org_view(Role.EDITOR)
def post_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PostForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                post = services.post_create(author=membership, **form.post_data())
                message = _apply_action(request, post, form, membership)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, message)
            return redirect("content:post_list", org_code=membership.organisation.code)
    return render(request, "content/post_form.html", _editor_context(membership, form, None))


@org_view(Role.EDITOR)
def post_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    form = PostForm(request.POST or None, organisation=membership.organisation, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = services.post_update(post=post, by=membership, **form.post_data())
                message = _apply_action(request, saved, form, membership)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, message)
            return redirect("content:post_list", org_code=membership.organisation.code)
    return render(request, "content/post_form.html", _editor_context(membership, form, post))


def _row_or_list(
    request: OrgRequest, membership: Membership, post: Post, to: Post.Status, message: str
) -> HttpResponse:
    """Apply a state change; the table row for htmx, otherwise back to the list."""
    error = ""
    try:
        post = services.post_transition(post=post, to=to, by=membership)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if request.htmx:
        context = {"membership": membership, "post": post, "row_error": error}
        return render(request, "content/_post_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect("content:post_list", org_code=membership.organisation.code)


@org_view(Role.EDITOR)
@require_POST
def post_publish(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    return _row_or_list(
        request, membership, post, Post.Status.PUBLISHED, _("The post is published.")
    )


@org_view(Role.EDITOR)
@require_POST
def post_unpublish(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    """Back to draft (from published, scheduled, in review or archived)."""
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    return _row_or_list(
        request, membership, post, Post.Status.DRAFT, _("The post is back to draft.")
    )


@org_view(Role.EDITOR)
def post_archive(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    """Archiving asks first (GET shows what it means); POST archives."""
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    if request.method == "POST":
        try:
            services.post_transition(post=post, to=Post.Status.ARCHIVED, by=membership)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, _("The post is archived."))
        return redirect("content:post_list", org_code=membership.organisation.code)
    context = {"membership": membership, "post": post}
    return render(request, "content/post_confirm_archive.html", context)
