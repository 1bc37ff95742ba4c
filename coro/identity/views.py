"""Company sign-in: the public start page, and the admins' settings page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.identity import selectors, services
from coro.identity.adapters import login_redirect, refusal_response
from coro.identity.claims import SignInRefused
from coro.identity.domains import domain_of
from coro.identity.forms import CompanyEmailForm, IdentityProviderForm
from coro.identity.models import secret_env_var_for
from coro.identity.presets import Preset
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role

SCOPES = "openid email profile"


def start(request: HttpRequest) -> HttpResponse:
    """Open to anyone: a person gives their work address, and is sent to the sign-in of the
    organisation that lists its domain. Which organisations exist is never said."""
    form = CompanyEmailForm(request.POST or None)
    if request.method != "POST":
        return render(request, "identity/start.html", {"form": form})
    if not form.is_valid():
        return render(request, "identity/start.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip().lower()
    provider = selectors.identity_provider_for_email(email)
    if provider is None:
        form.add_error(
            "email",
            _(
                "Coro does not know a company sign-in for addresses at %(domain)s. Sign in "
                "with your password, or ask your company's Coro admin."
            )
            % {"domain": domain_of(email)},
        )
        return render(request, "identity/start.html", {"form": form}, status=400)
    try:
        return login_redirect(request, provider, email)
    except SignInRefused as refused:
        return refusal_response(request, refused, status=502)


def _render(
    request: HttpRequest,
    membership: Membership,
    form: IdentityProviderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = membership.organisation
    provider = selectors.identity_provider_of(organisation)
    source, _secret = (
        selectors.client_secret(provider) if provider else (selectors.SecretSource.MISSING, "")
    )
    env_var = secret_env_var_for(organisation)
    if form is None:
        form = IdentityProviderForm(
            provider=provider,
            stored_secret=source == selectors.SecretSource.STORED,
            environment_secret=selectors.environment_secret_set(organisation),
        )
    context = {
        "membership": membership,
        "organisation": organisation,
        "provider": provider,
        "form": form,
        "secret_source": source.value,
        "secret_env_var": env_var,
        "redirect_uri": selectors.redirect_uri(organisation),
        "scopes": SCOPES,
        "presets": Preset,
    }
    return render(request, "identity/settings.html", context, status=status)


@org_view(Role.ADMIN)
def settings_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _render(request, membership)


@org_view(Role.ADMIN)
@require_POST
def settings_save(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    provider = selectors.identity_provider_of(organisation)
    source, _secret = (
        selectors.client_secret(provider) if provider else (selectors.SecretSource.MISSING, "")
    )
    form = IdentityProviderForm(
        request.POST,
        provider=provider,
        stored_secret=source == selectors.SecretSource.STORED,
        environment_secret=selectors.environment_secret_set(organisation),
    )
    if not form.is_valid():
        return _render(request, membership, form, status=400)
    data = form.cleaned_data
    try:
        services.identity_provider_save(
            organisation=organisation,
            preset=Preset(data["preset"]),
            issuer=data["issuer"],
            client_id=data["client_id"],
            new_secret=data["client_secret"],
            forget_secret=data.get("forget_secret", False),
            domains=data["domains"],
            enabled=data["enabled"],
            actor=membership,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(_FORM_FIELD.get(field), errors)
        return _render(request, membership, form, status=400)
    except IntegrityError:
        # Another organisation listed one of the domains at the same moment.
        form.add_error("domains", _("Another organisation on this Coro already lists this domain."))
        return _render(request, membership, form, status=400)
    messages.success(request, _("Company sign-in is saved."))
    return redirect("identity:settings", org_code=organisation.code)


# Model fields whose errors belong to a field of the form.
_FORM_FIELD = {"domain": "domains", "issuer": "issuer", "client_id": "client_id"}
