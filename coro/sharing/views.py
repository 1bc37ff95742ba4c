from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from coro.connections.limits import network_for
from coro.connections.profile_forms import ServerForm
from coro.connections.profile_selectors import network_server
from coro.connections.profile_services import network_server_set
from coro.content.counter import count_response
from coro.content.models import Post
from coro.core.languages import current_language
from coro.networks import Network, get_network, too_long, too_long_message
from coro.networks.links import tracked_link_example
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.disclosure import disclosure_text
from coro.orgs.models import Membership
from coro.program.selectors import is_enrolled
from coro.sharing import hotpath, selectors, services
from coro.sharing.forms import ShareForm, newlines_unified
from coro.sharing.models import Share
from coro.sharing.reserved import Reservation, reservation
from coro.sharing.screen import ELSEWHERE, hints, screen_context
from coro.sharing.texts import copied_text, outgoing_intent, starting_text, text_language


class IntentRedirect(HttpResponseRedirect):
    """A redirect that may leave for another site or a ``mailto:`` link."""

    allowed_schemes = ["http", "https", "mailto"]


def _shareable(membership: Membership, code: str, network: str) -> tuple[Post, Network]:
    """The live post meant for this person, and the network as the person's own server counts
    (``network_for``); 404 for anything else."""
    post = org_object_or_404(
        selectors.posts_shareable(membership), membership.organisation, code=code
    )
    target = get_network(network)
    if target is None:
        raise Http404
    return post, network_for(membership, target)


def _shareable_enrolled(membership: Membership, code: str, network: str) -> tuple[Post, Network]:
    """``_shareable``, for the screen's own requests (its checks, counter, server question
    and "More…"): only for people in the program."""
    post, target = _shareable(membership, code, network)
    if not is_enrolled(membership):
        raise PermissionDenied
    return post, target


def _back_to_screen(membership: Membership, post_code: str, network: str) -> HttpResponse:
    """What a GET on one of the screen's POST-only addresses gets (a reload, a language
    switch, an address typed again): the share screen itself, never a blank page. Another
    organisation's post, or one not meant for the person, is still not found."""
    _shareable(membership, post_code, network)
    return redirect(
        "sharing:share", org_code=membership.organisation.code, code=post_code, network=network
    )


def _share_form(
    membership: Membership, post: Post, target: Network, *args: Any, **kwargs: Any
) -> ShareForm:
    """The share form for this post and network, its counter asking ``share_count``."""
    code = membership.organisation.code
    count_url = reverse(
        "sharing:share_count", kwargs={"org_code": code, "code": post.code, "network": target.key}
    )
    return ShareForm(*args, network=target, org_code=code, count_url=count_url, **kwargs)


def _reserved(
    request: HttpRequest, membership: Membership, post: Post, network: str, field: str = "reserved"
) -> Reservation:
    """The person's tracked link for this post and network: their share's, or the one the
    screen reserved (sent back in ``field``), or a newly reserved one."""
    token = str(request.POST.get(field, "")) if request.method == "POST" else ""
    return reservation(post=post, membership=membership, network=network, token=token)


def _starting_text(membership: Membership, post: Post, target: Network, link: str) -> str:
    """The suggestion, ending with the disclosure in the suggestion's own language (a
    Spanish text ends with the Spanish disclosure, whatever the interface's language)."""
    language = current_language()
    disclosure = disclosure_text(
        membership.organisation, text_language(post, target, language) or language
    )
    return starting_text(post, target, link, disclosure, language)


def _template(request: HttpRequest) -> str:
    """The share screen alone for htmx (the dialog on the feed, or the screen's own
    answers), the whole page otherwise."""
    return "sharing/_screen.html" if getattr(request, "htmx", False) else "sharing/share.html"


def _in_dialog(request: HttpRequest) -> bool:
    """Whether the screen is in the feed's dialog (share.js says so on its requests)."""
    return bool(getattr(request, "htmx", False)) and request.headers.get("X-Coro-Dialog") == "1"


def _server(membership: Membership, target: Network) -> str:
    if not target.needs_server:
        return ""
    return network_server(membership=membership, network=target.key)


def _done(
    request: HttpRequest,
    membership: Membership,
    post: Post,
    target: Network,
    tracked: Share,
    server: str,
) -> HttpResponse:
    """After the share is recorded: the network's share page (a redirect without JavaScript;
    with it, a short page that opens it, so the feed stays), or, for "Copy text", the text
    and link to copy. A network whose page takes only the link gets the page with the text
    to copy either way."""
    copied = copied_text(target, tracked.text, tracked.tracked_link)
    if target.intent_url is not None:
        intent = outgoing_intent(target, post, tracked.text, tracked.tracked_link, server=server)
        # Without JavaScript, straight to the network, unless its page takes only the link
        # (LinkedIn...): then the text to copy first, and a link to the network.
        if not getattr(request, "htmx", False) and target.takes_text:
            return IntentRedirect(intent)
    else:
        intent = ""
    context = {
        "membership": membership,
        "post": post,
        "network": target,
        "intent": intent,
        "copied": copied,
        "text": tracked.text,
        "takes_text": target.takes_text,
        "dialog": _in_dialog(request),
    }
    template = "sharing/_done.html" if getattr(request, "htmx", False) else "sharing/done.html"
    return render(request, template, context)


def _screen(
    request: HttpRequest,
    membership: Membership,
    post: Post,
    target: Network,
    *,
    form: ShareForm | None = None,
    text: str | None = None,
    server_form: ServerForm | None = None,
) -> HttpResponse:
    """The share screen as it stands: the suggestion (or the person's words and their
    errors), and the server question first where the network needs one and none is stored.
    It carries the reserved tracked link (the same again after a refused try), and the one
    for the phone's share sheet ("More…", counted as elsewhere)."""
    language = current_language()
    reserved = _reserved(request, membership, post, target.key)
    elsewhere = _reserved(request, membership, post, ELSEWHERE, field="reserved_elsewhere")
    link = reserved.link
    server = _server(membership, target)
    if server_form is None and target.needs_server and not server:
        server_form = ServerForm(network=target)
    if text is None:
        text = _starting_text(membership, post, target, link)
    if form is None:
        form = _share_form(membership, post, target, initial={"text": text})
    if form.errors:
        form.errors_described()
    context = screen_context(
        membership=membership,
        post=post,
        post_text=post.text(language),
        target=target,
        form=form,
        text=text,
        link=link,
        server=server,
        server_form=server_form,
    )
    context["dialog"] = _in_dialog(request)
    context["reserved"] = reserved.token
    context["elsewhere_link"] = elsewhere.link
    context["elsewhere_reserved"] = elsewhere.token
    return render(request, _template(request), context)


def _not_enrolled(request: HttpRequest, membership: Membership) -> HttpResponse:
    terms = reverse("program:terms", kwargs={"org_code": membership.organisation.code})
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(terms)
    return redirect(terms)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest, membership: Membership, code: str, network: str) -> HttpResponse:
    """The share screen: the person's own words for one network (GET), then the tracked
    link and the network's own share dialog with exactly those words (POST). For htmx (the
    dialog on the feed) it answers with the screen alone. A network whose share page is on
    the person's own server (Mastodon) asks for the server first."""
    post, target = _shareable(membership, code, network)
    if not is_enrolled(membership):
        return _not_enrolled(request, membership)
    server = _server(membership, target)
    if request.method != "POST" or (target.needs_server and not server):
        posted = request.POST.get("text") if request.method == "POST" else None
        # Without a server yet, the person's words are kept while it is asked.
        return _screen(
            request,
            membership,
            post,
            target,
            text=newlines_unified(posted) if posted is not None else None,
        )
    reserved = _reserved(request, membership, post, target.key)
    link = reserved.link
    data: Mapping[str, Any] = request.POST
    if "text" not in data:  # one click from elsewhere: the suggestion as it stands
        data = {"text": _starting_text(membership, post, target, link)}
    form = _share_form(membership, post, target, data)
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            services.share_text_check(network=target, text=text, link=link)
        except ValidationError as error:
            form.add_error("text", error)
        else:
            tracked = services.share_record(
                post=post, membership=membership, network=target.key, text=text, code=reserved.code
            )
            return _done(request, membership, post, target, tracked, server)
    text = newlines_unified(str(form.data.get("text", ""))).strip()
    return _screen(request, membership, post, target, form=form, text=text)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def share_server(
    request: HttpRequest, membership: Membership, code: str, network: str
) -> HttpResponse:
    """The person's server for a network whose share page is on it (Mastodon), asked once on
    the share screen and stored for them; then the screen again, now ready to share."""
    if request.method != "POST":
        return _back_to_screen(membership, code, network)
    post, target = _shareable_enrolled(membership, code, network)
    if not target.needs_server:
        raise Http404
    form = ServerForm(request.POST, network=target)
    if form.is_valid():
        try:
            network_server_set(
                membership=membership, network=target.key, server=form.cleaned_data["server"]
            )
        except ValidationError as error:
            form.add_error("server", error)
    posted = request.POST.get("text")
    text = newlines_unified(posted) if posted is not None else None
    if form.is_valid():
        if not getattr(request, "htmx", False):
            return redirect(
                "sharing:share",
                org_code=membership.organisation.code,
                code=post.code,
                network=target.key,
            )
        return _screen(request, membership, post, target, text=text)
    return _screen(request, membership, post, target, text=text, server_form=form)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def share_device(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """The phone's own share sheet ("More…", the Web Share API), recorded as "elsewhere"
    (Coro cannot know which app the person picks). The screen knows the link already (it
    reserved it: ``reserved_elsewhere``), so the page opens the sheet in the click itself
    and records the share alongside; the answer repeats the text and link (an older page
    shares them after this answer)."""
    if request.method != "POST":
        _shareable(membership, code, ELSEWHERE)  # 404 for a post not meant for the person
        return redirect("content:feed", org_code=membership.organisation.code)
    post, target = _shareable_enrolled(membership, code, ELSEWHERE)
    reserved = _reserved(request, membership, post, target.key, field="reserved_elsewhere")
    form = _share_form(membership, post, target, request.POST)
    errors: list[str] = []
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            services.share_text_check(network=target, text=text, link=reserved.link)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            tracked = services.share_record(
                post=post,
                membership=membership,
                network=target.key,
                text=text,
                code=reserved.code,
            )
            return JsonResponse(
                {
                    "title": post.text(current_language())["title"],
                    "text": text,
                    "url": tracked.tracked_link,
                }
            )
    else:
        errors = [str(m) for m in form.errors.get("text", [])]
    return JsonResponse({"errors": errors}, status=422)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def share_check(
    request: HttpRequest, membership: Membership, code: str, network: str
) -> HttpResponse:
    """The share screen's hints as the person types (htmx); the counter is the widget's.
    Once the person has tried to share (``recheck``), the server's errors are checked
    again too, so an error they have fixed goes away; a text longer than Coro takes says
    so at once."""
    if request.method != "POST":
        return _back_to_screen(membership, code, network)
    post, target = _shareable_enrolled(membership, code, network)
    text = newlines_unified(request.POST.get("text", "")).strip()
    recheck = bool(request.POST.get("recheck"))
    errors: list[str] = []
    if too_long(text):
        errors = [too_long_message()]
    elif recheck:
        # Every tracked link is as long as this one: the check counts the same.
        try:
            services.share_text_check(network=target, text=text, link=tracked_link_example())
        except ValidationError as error:
            errors = list(error.messages)
    context = {**hints(membership, post, text), "errors": errors, "recheck": recheck}
    return render(request, "sharing/_share_hints.html", context)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def share_count(
    request: HttpRequest, membership: Membership, code: str, network: str
) -> HttpResponse:
    """The share screen's live counter: what is left as the person's own server counts (a
    Mastodon server's own limit), not only the network's default."""
    if request.method != "POST":
        return _back_to_screen(membership, code, network)
    _post, target = _shareable_enrolled(membership, code, network)
    return count_response(request, membership, target)


@require_http_methods(["GET", "HEAD"])
def tracked_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """``/r/<code>`` through Django (development server, test client): the same answer as
    ``hotpath.VisitsFirst`` gives in production, before Django."""
    target = hotpath.target_of(code)
    if target is None:
        raise Http404
    headers = {name.lower(): value for name, value in request.headers.items()}
    hotpath.visit_record(
        code=code,
        target=target,
        method=request.method or "GET",
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        headers=headers,
    )
    response = HttpResponseRedirect(target.location)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
