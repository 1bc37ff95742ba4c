"""The organisation's logo, for its own people only (WhiteNoise serves static files, not
uploads)."""

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from coro.orgs.access import org_view
from coro.orgs.models import Membership

# The file name changes with the content (``profile.logo_file_name``) and pages ask for the
# logo with that name in the query, so a day of caching never shows an old logo.
CACHE_CONTROL = "private, max-age=86400"


@org_view()
@require_GET
def logo(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The logo as stored (a small PNG re-encoded on upload), or Coro's mark when there is
    none."""
    name = membership.organisation.logo.name
    if not name:
        return redirect(static("coro/favicon.svg"))
    try:
        with default_storage.open(name, "rb") as file:
            data = file.read()
    except OSError:  # its file is gone (a restore without the media folder)
        return redirect(static("coro/favicon.svg"))
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Disposition"] = "inline"
    return response
