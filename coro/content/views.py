from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.content import selectors, services
from coro.content.forms import PostForm
from coro.content.models import Post
from coro.orgs.access import OrgRequest, org_object_or_404, org_view
from coro.orgs.models import Membership, Role

PAGE_SIZE = 10


@org_view(Role.EDITOR)
def post_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = Paginator(selectors.posts_all(membership.organisation), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "content/post_list.html", {"membership": membership, "page": page})


@org_view(Role.EDITOR)
def post_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        post = services.post_create(author=membership, **form.cleaned_data)
        if "publish" in request.POST:
            services.post_publish(post=post)
            messages.success(request, _("The post is published."))
        else:
            messages.success(request, _("The draft is saved."))
        return redirect("content:post_list", org_code=membership.organisation.code)
    return render(request, "content/post_form.html", {"membership": membership, "form": form})


@org_view(Role.EDITOR)
def post_edit(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    form = PostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        services.post_update(post=post, **form.cleaned_data)
        if "publish" in request.POST:
            services.post_publish(post=post)
        messages.success(request, _("The post is saved."))
        return redirect("content:post_list", org_code=membership.organisation.code)
    context = {"membership": membership, "form": form, "post": post}
    return render(request, "content/post_form.html", context)


def _post_row_or_list(
    request: OrgRequest, membership: Membership, post: Post, message: str
) -> HttpResponse:
    """After a status change: the table row for htmx, otherwise back to the list."""
    if request.htmx:
        return render(request, "content/_post_row.html", {"membership": membership, "post": post})
    messages.success(request, message)
    return redirect("content:post_list", org_code=membership.organisation.code)


@org_view(Role.EDITOR)
@require_POST
def post_publish(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    services.post_publish(post=post)
    return _post_row_or_list(request, membership, post, _("The post is published."))


@org_view(Role.EDITOR)
@require_POST
def post_unpublish(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = org_object_or_404(Post.objects.all(), membership.organisation, code=code)
    services.post_unpublish(post=post)
    return _post_row_or_list(request, membership, post, _("The post is back to draft."))
