from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coro.content.models import Post
from coro.core.codes import new_code
from coro.core.languages import current_language
from coro.networks import Network, get_network, too_long, too_long_message
from coro.networks.links import tracked_link
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


def _screen_link(membership: Membership, post: Post, target: Network) -> str:
    """The person's tracked link for this post and network. Until the first share there is
    none yet: one of the same shape (a new code) counts the same."""
    earlier = selectors.share_of(post=post, membership=membership, network=target.key)
    return tracked_link(earlier.code if earlier else new_code())


def _hints(membership: Membership, post: Post, text: str) -> dict[str, Any]:
    """What the screen says about the text as it stands: prompts left to fill in, and
    whether several colleagues already shared almost the same words (never who). A text
    longer than Coro takes is not looked at (its error says so)."""
    if too_long(text):
        return {"prompts": [], "similar": False}
    colleagues = selectors.colleague_texts(post=post, membership=membership)
    ignore = disclosure_previews(membership.organisation).values()
    return {
        "prompts": unfilled_prompts(text),
        "similar": several_shared_the_same(text, colleagues, ignore),
    }


def _counter(target: Network, text: str, link: str) -> dict[str, Any]:
    """The count shown without JavaScript (none for a text longer than Coro counts)."""
    remaining = None if too_long(text) else target.remaining(text, link)
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
    link = _screen_link(membership, post, target)
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
                return IntentRedirect(outgoing_intent(target, post, text, tracked.tracked_link))
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
        "errors": form.errors.get("text", []),
        "recheck": bool(form.errors),
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
    """The share screen's hints as the person types (htmx); the counter is the widget's.
    Once the person has tried to share (``recheck``), the server's errors are checked
    again too, so an error they have fixed goes away; a text longer than Coro takes says
    so at once."""
    post, target = _shareable(membership, code, network)
    if not is_enrolled(membership):
        raise PermissionDenied
    text = newlines_unified(request.POST.get("text", "")).strip()
    recheck = bool(request.POST.get("recheck"))
    errors: list[str] = []
    if too_long(text):
        errors = [too_long_message()]
    elif recheck:
        link = _screen_link(membership, post, target)
        try:
            services.share_text_check(network=target, text=text, link=link)
        except ValidationError as error:
            errors = list(error.messages)
    context = {**_hints(membership, post, text), "errors": errors, "recheck": recheck}
    return render(request, "sharing/_share_hints.html", context)


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
