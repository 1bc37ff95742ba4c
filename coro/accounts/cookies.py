from django.conf import settings
from django.http import HttpResponseBase


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """Remember the interface language in the browser (the person's choice follows them)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
