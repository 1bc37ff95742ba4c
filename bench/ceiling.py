"""The framework's ceiling for bench/redirect.py: a minimal Django project whose one view
answers a constant 302, served by the same server with the same options as Coro."""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-only-" + "x" * 50,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["*"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect  # noqa: E402
from django.urls import path  # noqa: E402


def constant(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponseRedirect("https://example.com/landing")


urlpatterns = [path("r/<str:code>", constant)]
application = get_wsgi_application()
