"""Where to send the browser back to after a form: the ``next`` it was given, when that is
one of Coro's own pages."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's ``next`` (from the form, else the address) when it is a path on this
    site ("/o/…", never "//elsewhere" or "https://elsewhere"), else ``default``."""
    wanted = str(request.POST.get("next") or request.GET.get("next") or "")
    if (
        wanted.startswith("/")
        and not wanted.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return wanted
    return default
