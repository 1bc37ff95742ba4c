import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coro.settings")
django_application = get_wsgi_application()

# Tracked links (/r/<code>) are answered before Django's middleware (coro/sharing/hotpath.py).
from coro.sharing.hotpath import VisitsFirst  # noqa: E402 (needs Django set up first)

application = VisitsFirst(django_application)

# Everything loaded so far lives as long as the process: keep it out of the garbage
# collector's full passes, which otherwise walk all of Django at every one and show as
# tens of milliseconds on an unlucky request.
gc.freeze()
