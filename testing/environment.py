"""The environment for running Coro in a fresh process from a test: the developer's own
settings are left out, so each test states exactly the settings it wants."""

import os

SETTINGS_VARIABLES = frozenset(
    {
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "LEDGER_KEY",
        "LEDGER_KEY_FILE",
        "ENCRYPTION_KEY",
        "ENCRYPTION_KEY_FILE",
        "DEBUG",
        "DEBUG_FILE",
        "BASE_URL",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "TASK_BACKEND",
        "EMAIL_HOST",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests; a deployment must not have it
        "CORO_DATA_DIR",
        "LOG_LEVEL",
        "BIND",
    }
)


def clean_environ(**settings: str) -> dict[str, str]:
    """``os.environ`` without Coro's settings, plus ``settings``."""
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environ.update(settings)
    return environ
