"""The employment disclosure appended to suggested share texts (charter rule 8).

An organisation may word it per language; a language without wording gets the default,
"I work at {organisation}", in that language. ``{organisation}`` in any wording is replaced
by the organisation's name.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from coro.core.languages import language_codes, language_name, supported
from coro.orgs.models import Organisation

PLACEHOLDER = "{organisation}"
MAX_LENGTH = 120


def _language(language: str | None) -> str:
    return supported(language) or settings.LANGUAGE_CODE


def disclosure_default(language: str | None) -> str:
    """The default wording, with its placeholder, in this language."""
    with translation.override(_language(language)):
        # Translators: appended to every suggested share text. Keep {organisation} as it is.
        return gettext("I work at {organisation}")


def disclosure_wording(organisation: Organisation, language: str | None) -> str:
    """The organisation's wording in this language (its own, or the default)."""
    custom = str(organisation.disclosure.get(_language(language), ""))
    return custom.strip() or disclosure_default(language)


def disclosure_preview(organisation: Organisation, language: str | None) -> str:
    """The disclosure as shares would carry it, whether or not it is switched on."""
    return disclosure_wording(organisation, language).replace(PLACEHOLDER, organisation.name)


def disclosure_previews(organisation: Organisation) -> dict[str, str]:
    """The disclosure as shares carry it, in every language."""
    return {code: disclosure_preview(organisation, code) for code in language_codes()}


def disclosure_wordings_named(organisation: Organisation) -> list[tuple[str, str, str]]:
    """(language code, language name, the disclosure as shares carry it) for every
    language."""
    return [
        (code, language_name(code), text)
        for code, text in disclosure_previews(organisation).items()
    ]


def disclosure_text(organisation: Organisation, language: str | None) -> str | None:
    """What shares end with in this language; None when an admin switched it off."""
    if not organisation.disclosure_enabled:
        return None
    return disclosure_preview(organisation, language)
