"""Settings for the test suite: fast hashing, tasks run inline."""

import os

os.environ.setdefault("DEBUG", "true")

from coro.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The fetcher in test mode: nothing beyond this machine; tests list their local servers.
FETCH_TEST_ALLOW = []
# Visits are counted as they come (the spool has tests of its own).
VISITS_INLINE = True
