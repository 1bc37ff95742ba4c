"""Connecting and disconnecting accounts (Mastodon by OAuth here; Bluesky in its own views).
Each person manages only their own accounts."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from coro.connections import mastodon, services
from coro.connections.selectors import connected_accounts
from coro.networks.clients import ClientError
from coro.orgs.access import org_view
from coro.orgs.models import Membership


class ServerForm(forms.Form):
    server = forms.CharField(
        label=gettext_lazy("Your Mastodon server"),
        max_length=300,
        help_text=gettext_lazy(
            "For example mastodon.social: the part after the second @ in your handle."
        ),
    )

    def clean_server(self) -> str:
        return mastodon.server_normalise(self.cleaned_data["server"])


class AuthorizeRedirect(HttpResponseRedirect):
    """A redirect to the person's Mastodon server (plain http only for local test servers)."""

    allowed_schemes = ["http", "https"]


def _networks_page(membership: Membership) -> HttpResponse:
    return redirect("connections:profiles", org_code=membership.organisation.code)


def _callback_uri(request: HttpRequest, membership: Membership) -> str:
    return request.build_absolute_uri(
        reverse("connections:mastodon_callback", kwargs={"org_code": membership.organisation.code})
    )


@org_view()
@require_http_methods(["GET", "HEAD", "POST"])
def mastodon_connect(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Ask for the person's server (GET), then send them there to allow Coro (POST)."""
    form = ServerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            url, pending = mastodon.oauth_start(
                membership=membership,
                server=form.cleaned_data["server"],
                redirect_uri=_callback_uri(request, membership),
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


@org_view()
@require_GET
def mastodon_callback(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Where the server sends the person back, with ``code`` and ``state``. The pending flow
    is used once: a second visit with the same answer finds nothing to finish."""
    pending: Any = request.session.pop(mastodon.SESSION_KEY, None)
    params = {
        key: request.GET[key] for key in ("code", "state", "iss", "error") if key in request.GET
    }
    try:
        account = mastodon.oauth_finish(membership=membership, pending=pending, params=params)
    except mastodon.OAuthRefused as refusal:
        messages.error(request, refusal.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ClientError as error:
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
