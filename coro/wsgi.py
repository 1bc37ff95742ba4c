import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coro.settings")
django_application = get_wsgi_application()

# Tracked links (/r/<code>) are answered before Django's middleware (coro/sharing/hotpath.py).
from coro.sharing.hotpath import VisitsFirst  # noqa: E402 (needs Django set up first)

application = VisitsFirst(django_application)
