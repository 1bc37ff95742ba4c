"""Languages are data: ``settings.LANGUAGES`` is the one list, and texts that exist in several
languages are stored as a mapping from language code to text.

Adding a language is adding it to ``settings.LANGUAGES`` and its catalogue under
``coro/locale``: no column, no migration, no code.
"""

from collections.abc import Mapping
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

T = TypeVar("T")


def language_codes() -> list[str]:
    """Every language of the interface and of the content, in the settings' order."""
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """The language's own name for itself ("Español", "Català", "English")."""
    return str(get_language_info(code)["name_local"]).capitalize()


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in language_codes()]


def supported(code: str | None) -> str | None:
    """The supported language a code names ("es-ES" → "es"), or None."""
    if not code:
        return None
    code = code.lower()
    codes = language_codes()
    if code in codes:
        return code
    base = code.split("-")[0].split("_")[0]
    return base if base in codes else None


def current_language() -> str:
    """The active language, or the default when none is active or it is not supported."""
    return supported(get_language()) or settings.LANGUAGE_CODE


def pick(texts: Mapping[str, T], language: str | None = None) -> T | None:
    """The text in ``language`` (the active one by default), else in the default language,
    else in the first language of the settings that has one; None when there is none."""
    wanted = supported(language) if language else current_language()
    for code in (wanted, settings.LANGUAGE_CODE, *language_codes()):
        if code and texts.get(code):
            return texts[code]
    return None


def validate_language(code: str) -> None:
    if code not in language_codes():
        raise ValidationError(
            _("%(code)s is not one of Coro's languages."), params={"code": code}, code="language"
        )


def validate_language_keys(value: object) -> None:
    """A mapping keyed by language code (``{"es": ..., "ca": ...}``)."""
    if not isinstance(value, dict):
        raise ValidationError(_("Texts must be given per language."), code="languages")
    for code in value:
        validate_language(code)
