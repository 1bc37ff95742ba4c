"""A post's images: add, describe, reorder and remove them (editors, and the employee who
proposed the post while it is in review or declined), and serve them to whoever may see the
post. Each action answers htmx with the images' panel, and a plain form with a redirect back
to the page it came from."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coro.content import images
from coro.content.image_forms import PostImageAddForm, PostImageAltForm, PostImageMoveForm
from coro.content.models import Post, PostImage
from coro.core.redirects import safe_next
from coro.orgs.access import OrgRequest, org_object_or_404, org_view
from coro.orgs.models import Membership, Role

# An image's files never change (a new upload is a new image), so browsers may keep them for
# a year; "private": only the person's own browser, never a shared cache.
CACHE_CONTROL = "private, max-age=31536000, immutable"


def _visible_post(membership: Membership, **lookup: Any) -> Post:
    """A post whose images this person may see (else 404): the post page's rule."""
    return org_object_or_404(
        images.posts_with_images_visible(membership), membership.organisation, **lookup
    )


def _manageable_post(membership: Membership, code: str) -> Post:
    post = _visible_post(membership, code=code)
    if not images.post_images_manageable_by(post, membership):
        raise PermissionDenied
    return post


def _manageable_image(membership: Membership, code: str) -> PostImage:
    post = _visible_post(membership, images__code=code)
    if not images.post_images_manageable_by(post, membership):
        raise PermissionDenied
    image = post.images.get(code=code)
    image.post = post
    return image


def _next_url(request: HttpRequest, membership: Membership, post: Post) -> str:
    """Back to the page the form was on, else the post's editor (or, for someone who is not
    an editor, the feed)."""
    org_code = membership.organisation.code
    if membership.has_role(Role.EDITOR):
        default = reverse("content:post_edit", args=[org_code, post.code])
    else:
        default = reverse("content:feed", args=[org_code])
    return safe_next(request, default)


def _panel(
    request: HttpRequest,
    membership: Membership,
    post: Post,
    *,
    status: int = 200,
    message: str = "",
    failed: bool = False,
    add_form: PostImageAddForm | None = None,
    alt_errors: dict[str, list[str]] | None = None,
    alt_value: str = "",
) -> HttpResponse:
    """The images' panel (``_post_images.html``), as htmx swaps it in. ``alt_errors`` holds
    the errors of one image's description (by image code), shown with what was typed.
    ``message`` is announced (and, after a swap, focused: coro.js); ``failed`` marks it an
    error."""
    post_images = list(post.images.all())
    for image in post_images:
        image.alt_errors = (alt_errors or {}).get(image.code, [])  # type: ignore[attr-defined]
        image.alt_value = alt_value  # type: ignore[attr-defined]
    context = {
        "post": post,
        "membership": membership,
        "post_images": post_images,
        "next_url": _next_url(request, membership, post),
        "images_message": message,
        "images_failed": failed,
        "add_form": add_form,
    }
    return render(request, "content/_post_images.html", context, status=status)


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@org_view()
@require_POST
def post_image_add(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    post = _manageable_post(membership, code)
    form = PostImageAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            images.post_image_add(
                post=post,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                by=membership,
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        if request.htmx:
            return _panel(
                request,
                membership,
                post,
                status=400,
                add_form=form,
                message=_("The image is not added: see why below."),
                failed=True,
            )
        for errors in form.errors.values():
            for error_text in errors:
                messages.error(request, str(error_text))
        return redirect(_next_url(request, membership, post))
    message = _("The image is added.")
    if request.htmx:
        return _panel(request, membership, post, message=message)
    messages.success(request, message)
    return redirect(_next_url(request, membership, post))


@org_view()
@require_POST
def post_image_alt(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    image = _manageable_image(membership, code)
    form = PostImageAltForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            images.post_image_alt_update(
                image=image, alt_text=form.cleaned_data["alt_text"], by=membership
            )
        except ValidationError as error:
            errors = _errors(error)
    else:
        errors = [str(e) for e in form.errors.get("alt_text", [])]
    if errors:
        if request.htmx:
            return _panel(
                request,
                membership,
                image.post,
                status=400,
                message=_("The description is not saved: see why below."),
                failed=True,
                alt_errors={image.code: errors},
                alt_value=request.POST.get("alt_text", ""),
            )
        for error_text in errors:
            messages.error(request, error_text)
        return redirect(_next_url(request, membership, image.post))
    message = _("The description is saved.")
    if request.htmx:
        return _panel(request, membership, image.post, message=message)
    messages.success(request, message)
    return redirect(_next_url(request, membership, image.post))


@org_view()
@require_POST
def post_image_move(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    image = _manageable_image(membership, code)
    form = PostImageMoveForm(request.POST)
    if form.is_valid():
        images.post_image_move(image=image, direction=form.cleaned_data["direction"], by=membership)
        message = _("The image is moved.")
    else:
        message = _("Choose whether to move the image earlier or later.")
    if request.htmx:
        return _panel(request, membership, image.post, message=message, failed=not form.is_valid())
    (messages.success if form.is_valid() else messages.error)(request, message)
    return redirect(_next_url(request, membership, image.post))


@org_view()
def post_image_remove(request: OrgRequest, membership: Membership, code: str) -> HttpResponse:
    """GET asks for confirmation; POST removes the image and its files."""
    image = _manageable_image(membership, code)
    next_url = _next_url(request, membership, image.post)
    if request.method == "POST":
        images.post_image_remove(image=image, by=membership)
        messages.success(request, _("The image is removed."))
        return redirect(next_url)
    context = {"membership": membership, "image": image, "post": image.post, "next_url": next_url}
    return render(request, "content/post_image_confirm_remove.html", context)


@org_view()
@require_GET
def post_image(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """An image's file: the original, or with ``?w=480`` (one of its variants' widths) a
    smaller copy. For anyone who may see the post."""
    post = _visible_post(membership, images__code=code)
    image = post.images.get(code=code)
    width = request.GET.get("w")
    if width is not None and not width.isdigit():
        raise Http404
    name = images.post_image_file_for(image, int(width) if width else None)
    if not name:
        raise Http404
    try:
        file = default_storage.open(name, "rb")
    except OSError:  # its file is gone (a restore without the media folder)
        raise Http404 from None
    response = FileResponse(file, content_type=images.content_type_of(name))
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    # Streamed, not held in memory; org_view's type names HttpResponse, which it also passes on.
    return cast(HttpResponse, response)
