"""Connecting and disconnecting accounts (Mastodon by OAuth here; Bluesky in its own views).
Each person manages only their own accounts."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coro.connections import limits, mastodon, services
from coro.connections.profile_forms import ServerForm
from coro.connections.profile_selectors import network_server
from coro.connections.selectors import connected_accounts
from coro.networks import NETWORKS
from coro.networks.clients import ClientError
from coro.orgs.access import org_view
from coro.orgs.models import Membership


class AuthorizeRedirect(HttpResponseRedirect):
    """A redirect to the person's Mastodon server (plain http only for local test servers)."""

    allowed_schemes = ["http", "https"]


def _networks_page(membership: Membership) -> HttpResponse:
    return redirect("connections:profiles", org_code=membership.organisation.code)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def mastodon_connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Ask for the person's server (GET: the one Coro knows, if any, already filled in), then
    send them there to allow Coro (POST)."""
    known = network_server(membership=membership, network=limits.NETWORK)
    form = ServerForm(
        request.POST or None, network=NETWORKS[limits.NETWORK], initial={"server": known}
    )
    if request.method == "POST" and form.is_valid():
        try:
            url, pending = mastodon.oauth_start(
                membership=membership, server=form.cleaned_data["server"]
            )
        except ValidationError as error:
            form.add_error("server", " ".join(error.messages))
        except ClientError as error:
            form.add_error("server", error.message)
        else:
            request.session[mastodon.SESSION_KEY] = pending
            return AuthorizeRedirect(url)
    context = {"membership": membership, "form": form}
    return render(
        request, "connections/mastodon_connect.html", context, status=422 if form.errors else 200
    )


@login_required
@require_GET
def mastodon_callback(request: HttpRequest) -> HttpResponse:
    """Where every Mastodon server sends people back, with ``code`` and ``state``: one address
    for the installation (``mastodon.callback_uri``), outside any organisation. The pending
    flow in the person's session names their organisation; finishing it there checks, as
    every organisation page does, that they are still a member (``org_view``). The pending
    flow is used once: a second visit with the same answer finds nothing to finish."""
    pending: Any = request.session.pop(mastodon.SESSION_KEY, None)
    org_code = pending.get("org_code") if isinstance(pending, dict) else None
    if not isinstance(org_code, str) or not org_code:
        messages.error(request, _("Coro was not waiting for a Mastodon server: start again."))
        return redirect("home")
    return _mastodon_finish(request, org_code=org_code, pending=pending)


@org_view()
def _mastodon_finish(
    request: HttpRequest, membership: Membership, pending: dict[str, Any]
) -> HttpResponse:
    params = {
        key: request.GET[key] for key in ("code", "state", "iss", "error") if key in request.GET
    }
    try:
        account = mastodon.oauth_finish(membership=membership, pending=pending, params=params)
    except mastodon.OAuthRefused as refusal:
        messages.error(request, refusal.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ClientError as error:  # TemporaryError and RateLimited too
        messages.error(
            request,
            _("Coro could not connect your account: %(reason)s") % {"reason": error.message},
        )
    else:
        messages.success(request, _("Connected %(handle)s.") % {"handle": account.handle})
    return _networks_page(membership)


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def account_disconnect(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    """Confirm (GET), then disconnect (POST) one of the person's own accounts."""
    account = get_object_or_404(connected_accounts(membership), code=code)
    if request.method == "POST":
        handle = account.handle
        if services.account_disconnect(account=account):
            messages.success(request, _("Disconnected %(handle)s.") % {"handle": handle})
        else:
            revocable = account.network in services.REVOKERS
            messages.warning(
                request,
                _(
                    "Disconnected %(handle)s: Coro deleted its access. Your server could not be "
                    "told, so you may also remove Coro from your account's settings there."
                )
                % {"handle": handle}
                if revocable
                else _(
                    "Disconnected %(handle)s: Coro deleted its access. To be sure, also remove "
                    "it from your account's settings there."
                )
                % {"handle": handle},
            )
        return _networks_page(membership)
    context = {"membership": membership, "account": account}
    return render(request, "connections/account_disconnect.html", context)
