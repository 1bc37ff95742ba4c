"""First run on the web: ``/setup/``, while no organisation exists, with the one-time token
that ``coro serve`` printed on the server's console."""

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from coro.site import services
from coro.site.forms import SetupForm
from coro.site.setup_token import SetupTokenClaim, setup_token_issued

logger = logging.getLogger("coro.setup")


@sensitive_post_parameters("token", "password")
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    if services.organisation_exists():
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        claim = SetupTokenClaim(form.cleaned_data["token"])
        if not claim:
            form.add_error("token", _("This setup token was just used or replaced."))
        else:
            data = form.cleaned_data
            try:
                result = services.site_setup(
                    organisation_name=data["organisation"],
                    language=data["language"],
                    time_zone=data["time_zone"],
                    admin_email=data["admin_email"],
                    admin_name=data["admin_name"],
                    password=data["password"],
                )
            except services.AlreadySetUpError:
                claim.burn()
                raise Http404 from None
            except (ValidationError, IntegrityError):
                claim.give_back()
                form.add_error(None, _("Coro could not be set up with these details."))
            else:
                claim.burn()
                logger.info("Set up through /setup/: organisation %s.", result.organisation.code)
                login(request, result.admin, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _(
                        "%(name)s is ready. The program opens when you publish its terms: "
                        "rewrite the example below in your own words."
                    )
                    % {"name": result.organisation.name},
                )
                return redirect("program:manage", org_code=result.organisation.code)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "token_issued": setup_token_issued()}
    return render(request, "site/setup.html", context, status=status)
