from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from coro.content.models import Post
from coro.networks import get_network
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.disclosure import disclosure_text
from coro.orgs.models import Membership
from coro.program.selectors import is_enrolled
from coro.sharing import selectors, services
from coro.sharing.bots import is_preview_bot
from coro.sharing.texts import suggested_text


class IntentRedirect(HttpResponseRedirect):
    """A redirect that may leave for another site or a ``mailto:`` link."""

    allowed_schemes = ["http", "https", "mailto"]


@org_view()
@require_POST
def share(request: HttpRequest, membership: Membership, code: str, network: str) -> HttpResponse:
    """Make (or reuse) the tracked link, then open the network's own share dialog."""
    post = org_object_or_404(
        Post.objects.filter(status=Post.Status.PUBLISHED), membership.organisation, code=code
    )
    target = get_network(network)
    if target is None:
        raise Http404
    if not is_enrolled(membership):
        return redirect("program:terms", org_code=membership.organisation.code)
    tracked = services.share_get_or_create(post=post, membership=membership, network=target.key)
    link = request.build_absolute_uri(reverse("tracked_redirect", args=[tracked.code]))
    # The person's own words stay theirs; the suggestion carries the disclosure.
    disclosure = disclosure_text(membership.organisation, get_language())
    text = request.POST.get("text") or suggested_text(post, target, link, disclosure)
    return IntentRedirect(target.intent_url(text, link))


@require_http_methods(["GET", "HEAD"])
def tracked_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """``/r/<code>``: send the visitor on, and count real visits once each."""
    tracked = selectors.share_by_code(code)
    if tracked is None:
        raise Http404
    user_agent = request.headers.get("User-Agent", "")
    if request.method == "GET" and not is_preview_bot(user_agent):
        services.click_record(share=tracked)
    response = HttpResponseRedirect(tracked.post.link)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
