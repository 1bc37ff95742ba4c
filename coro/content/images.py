"""A post's images: who may see and manage them, adding (checked, re-encoded, with smaller
variants), removing, reordering and describing them, and their files in storage.

Files are stored under ``posts/<post code>/<image code>-<width>.<ext>``: an image's content
never changes (a new upload is a new image with a new code), so browsers may keep them long.
"""

from collections.abc import Iterable
from contextlib import suppress
from typing import IO, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coro.content.feed import posts_viewable
from coro.content.models import Post, PostImage
from coro.core.images import (
    CONTENT_TYPES,
    EXTENSIONS,
    VARIANT_EXTENSION,
    ImageError,
    image_prepare,
    image_variants,
)
from coro.orgs.models import Membership, Role

MAX_IMAGES_PER_POST = 4
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# An employee manages the images of their own proposal while editors look at it.
PROPOSER_STATUSES = frozenset({Post.Status.IN_REVIEW, Post.Status.DECLINED})
CONTENT_TYPE_BY_EXTENSION = {ext: CONTENT_TYPES[fmt] for fmt, ext in EXTENSIONS.items()}

Direction = Literal["up", "down"]


# --- Rules --------------------------------------------------------------------------------


def posts_with_images_visible(membership: Membership) -> QuerySet[Post]:
    """Posts whose images this person may see: those whose page they may open (the feed's
    rule, ``feed.posts_viewable``), and the proposals whose images they manage (their own,
    declined ones included: the proposal's form shows them)."""
    own_proposals = Post.objects.filter(
        organisation=membership.organisation,
        proposed_by=membership,
        status__in=PROPOSER_STATUSES,
    )
    return posts_viewable(membership) | own_proposals


def post_images_manageable_by(post: Post, membership: Membership) -> bool:
    """Editors manage any post's images; the employee who proposed a post manages its images
    while it is in review or declined."""
    if membership.has_role(Role.EDITOR):
        return True
    return (
        post.proposed_by_id is not None
        and post.proposed_by_id == membership.pk
        and post.status in PROPOSER_STATUSES
    )


def _check_manageable(post: Post, by: Membership) -> None:
    if by.organisation_id != post.organisation_id or not post_images_manageable_by(post, by):
        raise PermissionDenied


# --- Reads --------------------------------------------------------------------------------


def post_image_files(image: PostImage) -> list[str]:
    """Every stored file of an image: the original and its variants."""
    return [name for name in [image.file.name, *image.variants.values()] if name]


def post_image_file_for(image: PostImage, width: int | None) -> str | None:
    """The stored file to serve for ``width`` (``None``: the original), or ``None``."""
    if width is None:
        return image.file.name or None
    name = image.variants.get(str(width))
    return str(name) if name else None


def content_type_of(name: str) -> str:
    """The content type of a file Coro stored (its extension is Coro's own choice)."""
    return CONTENT_TYPE_BY_EXTENSION.get(name.rsplit(".", 1)[-1], "application/octet-stream")


# --- Writes -------------------------------------------------------------------------------


def _clean_alt_text(alt_text: str) -> str:
    alt_text = " ".join(alt_text.split())
    if not alt_text:
        raise ValidationError(
            {"alt_text": _("Describe the image for people who cannot see it.")}, code="required"
        )
    limit = PostImage._meta.get_field("alt_text").max_length or 300
    if len(alt_text) > limit:
        raise ValidationError(
            {
                "alt_text": _("Keep the description under %(limit)s characters (it has %(count)s).")
                % {"limit": limit, "count": len(alt_text)}
            },
            code="max_length",
        )
    return alt_text


def _too_many() -> ValidationError:
    return ValidationError(
        {
            "image": _("A post can have at most %(count)s images: remove one first.")
            % {"count": MAX_IMAGES_PER_POST}
        },
        code="too_many",
    )


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        with suppress(OSError):  # already gone; nothing else refers to it
            default_storage.delete(name)


def _delete_files_on_commit(names: list[str]) -> None:
    transaction.on_commit(lambda: _delete_files(names))


def post_image_add(
    *, post: Post, upload: IO[bytes], alt_text: str, by: Membership | None
) -> PostImage:
    """Add an image at the end of the post's images: checked by its content, at most
    ``MAX_IMAGE_BYTES``, re-encoded without metadata, with smaller variants. Raises
    ``ValidationError`` (keyed ``image`` or ``alt_text``) and stores nothing when it cannot.
    ``by`` is None only for Coro's own imports (a blog feed's item image)."""
    if by is not None:
        _check_manageable(post, by)
    alt_text = _clean_alt_text(alt_text)
    if post.images.count() >= MAX_IMAGES_PER_POST:
        raise _too_many()
    try:
        prepared = image_prepare(upload, max_bytes=MAX_IMAGE_BYTES)
    except ImageError as error:
        raise ValidationError({"image": error.message}, code=error.code) from None
    variants = image_variants(prepared)

    image = PostImage(post=post, alt_text=alt_text, width=prepared.width, height=prepared.height)
    folder = f"posts/{post.code}/{image.code}"
    stored: list[str] = []
    try:
        stored.append(
            default_storage.save(
                f"{folder}-{prepared.width}.{prepared.extension}", ContentFile(prepared.data)
            )
        )
        image.file.name = stored[0]
        for width, data in variants.items():
            name = default_storage.save(f"{folder}-{width}.{VARIANT_EXTENSION}", ContentFile(data))
            stored.append(name)
            image.variants[str(width)] = name
        with transaction.atomic():
            locked = Post.objects.select_for_update().get(pk=post.pk)
            count = locked.images.count()
            if count >= MAX_IMAGES_PER_POST:
                raise _too_many()
            last = locked.images.order_by("-position").values_list("position", flat=True).first()
            image.position = 0 if last is None else last + 1
            image.full_clean()
            image.save()
    except BaseException:
        _delete_files(stored)
        raise
    return image


def post_image_remove(*, image: PostImage, by: Membership) -> None:
    """Remove an image; its files are deleted once the removal is saved."""
    _check_manageable(image.post, by)
    files = post_image_files(image)
    with transaction.atomic():
        image.delete()
        _delete_files_on_commit(files)


def post_images_purge(*, post: Post) -> None:
    """Remove every image of a post and, once that is saved, their files: call it when a
    post is deleted (deleting the post's row alone would leave the files behind)."""
    with transaction.atomic():
        images = list(post.images.all())
        files = [name for image in images for name in post_image_files(image)]
        post.images.all().delete()
        _delete_files_on_commit(files)


def post_image_move(*, image: PostImage, direction: Direction, by: Membership) -> None:
    """Move an image one place earlier ("up") or later ("down"); at either end, nothing."""
    _check_manageable(image.post, by)
    with transaction.atomic():
        Post.objects.select_for_update().get(pk=image.post_id)
        images = list(
            PostImage.objects.filter(post_id=image.post_id).order_by("position", "created_at", "pk")
        )
        index = next(i for i, other in enumerate(images) if other.pk == image.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(images):
            return
        images[index], images[target] = images[target], images[index]
        for position, other in enumerate(images):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])
    image.refresh_from_db(fields=["position"])


def post_image_alt_update(*, image: PostImage, alt_text: str, by: Membership) -> PostImage:
    """Change what an image's description says."""
    _check_manageable(image.post, by)
    image.alt_text = _clean_alt_text(alt_text)
    image.full_clean()
    image.save(update_fields=["alt_text"])
    return image
