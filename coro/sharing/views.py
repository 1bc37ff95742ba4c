from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from coro.content.models import Post
from coro.core.codes import new_code
from coro.core.languages import current_language
from coro.networks import Network, get_network
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.disclosure import disclosure_previews, disclosure_text
from coro.orgs.models import Membership
from coro.program.selectors import is_enrolled
from coro.sharing import selectors, services
from coro.sharing.authenticity import several_shared_the_same, unfilled_prompts
from coro.sharing.bots import is_preview_bot
from coro.sharing.forms import ShareForm, newlines_unified
from coro.sharing.texts import intent_takes_text, outgoing_intent, starting_text


class IntentRedirect(HttpResponseRedirect):
    """A redirect that may leave for another site or a ``mailto:`` link."""

    allowed_schemes = ["http", "https", "mailto"]


def _shareable(membership: Membership, code: str, network: str) -> tuple[Post, Network]:
    """The live post meant for this person, and the network; 404 for anything else."""
    post = org_object_or_404(
        selectors.posts_shareable(membership), membership.organisation, code=code
    )
    target = get_network(network)
    if target is None:
        raise Http404
    return post, target


def _tracked_link(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("tracked_redirect", args=[code]))


def _hints(membership: Membership, post: Post, text: str) -> dict[str, Any]:
    """What the screen says about the text as it stands: prompts left to fill in, and
    whether several colleagues already shared almost the same words (never who)."""
    colleagues = selectors.colleague_texts(post=post, membership=membership)
    ignore = disclosure_previews(membership.organisation).values()
    return {
        "prompts": unfilled_prompts(text),
        "similar": several_shared_the_same(text, colleagues, ignore),
    }


def _counter(target: Network, text: str, link: str) -> dict[str, Any]:
    remaining = target.remaining(text, link)
    return {"remaining": remaining, "over": -remaining if remaining is not None else None}


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest, membership: Membership, code: str, network: str) -> HttpResponse:
    """The share screen: the person's own words for one network (GET), then the tracked
    link and the network's own share dialog with exactly those words (POST)."""
    post, target = _shareable(membership, code, network)
    if not is_enrolled(membership):
        return redirect("program:terms", org_code=membership.organisation.code)
    language = current_language()
    disclosure = disclosure_text(membership.organisation, language)
    earlier = selectors.share_of(post=post, membership=membership, network=target.key)
    # Until the first share there is no tracked link yet: one of the same shape counts the same.
    link = _tracked_link(request, earlier.code if earlier else new_code())
    form_kwargs = {"network_key": target.key, "org_code": membership.organisation.code}
    if request.method == "POST":
        data: Mapping[str, Any] = request.POST
        if "text" not in data:  # one click from elsewhere: the suggestion as it stands
            data = {"text": starting_text(post, target, link, disclosure, language)}
        form = ShareForm(data, **form_kwargs)
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                services.share_text_check(network=target, text=text, link=link)
            except ValidationError as error:
                form.add_error("text", error)
            else:
                tracked = services.share_record(
                    post=post, membership=membership, network=target.key, text=text
                )
                intent = outgoing_intent(target, post, text, _tracked_link(request, tracked.code))
                return IntentRedirect(intent)
        text = newlines_unified(str(form.data.get("text", ""))).strip()
    else:
        text = starting_text(post, target, link, disclosure, language)
        form = ShareForm(initial={"text": text}, **form_kwargs)
    if form.errors:
        form.errors_described()
    context = {
        "membership": membership,
        "post": post,
        "post_text": post.text(language),
        "network": target,
        "form": form,
        "link": link,
        "takes_text": intent_takes_text(target),
        "preview": selectors.preview_ready(post),
        **_hints(membership, post, text),
        **_counter(target, text, link),
    }
    return render(request, "sharing/share.html", context)


@org_view()
@require_POST
def share_check(
    request: HttpRequest, membership: Membership, code: str, network: str
) -> HttpResponse:
    """The share screen's hints as the person types (htmx); the counter is the widget's."""
    post, _network = _shareable(membership, code, network)
    if not is_enrolled(membership):
        raise PermissionDenied
    text = newlines_unified(request.POST.get("text", ""))
    return render(request, "sharing/_share_hints.html", _hints(membership, post, text))


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
