"""The image of a post's link preview, for whoever may see the post."""

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from coro.content.feed import posts_viewable
from coro.content.models import LinkPreview
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership


@org_view()
@require_GET
def link_preview_image(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """The preview image (re-encoded as JPEG when fetched) of the post ``code``'s link."""
    post = org_object_or_404(posts_viewable(membership), membership.organisation, code=code)
    preview = LinkPreview.objects.filter(
        post=post, url=post.link, status=LinkPreview.Status.READY
    ).first()
    if preview is None or not preview.image:
        raise Http404
    try:
        with default_storage.open(preview.image.name, "rb") as file:
            data = file.read()  # small: re-encoded, at most 1200 pixels a side
    except OSError:  # its file is gone (a restore without the media folder)
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    # A new fetch stores a new file under the same address: browsers may keep it a day.
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
