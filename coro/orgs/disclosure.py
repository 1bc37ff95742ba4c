"""The employment disclosure appended to suggested share texts (charter rule 8).

Blank wording means the default, "I work at {organisation}", in the sharer's language.
``{organisation}`` in any wording is replaced by the organisation's name.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from coro.orgs.models import Organisation

PLACEHOLDER = "{organisation}"


def _language(language: str | None) -> str:
    code = (language or settings.LANGUAGE_CODE).lower()
    return "en" if code.startswith("en") else "es"


def disclosure_default(language: str | None) -> str:
    """The default wording, with its placeholder, in this language."""
    with translation.override(_language(language)):
        # Translators: appended to every suggested share text. Keep {organisation} as it is.
        return gettext("I work at {organisation}")


def disclosure_wording(organisation: Organisation, language: str | None) -> str:
    """The organisation's wording in this language (its own, or the default)."""
    custom = (
        organisation.disclosure_en if _language(language) == "en" else organisation.disclosure_es
    )
    return custom.strip() or disclosure_default(language)


def disclosure_preview(organisation: Organisation, language: str | None) -> str:
    """The disclosure as shares would carry it, whether or not it is switched on."""
    return disclosure_wording(organisation, language).replace(PLACEHOLDER, organisation.name)


def disclosure_text(organisation: Organisation, language: str | None) -> str | None:
    """What shares end with in this language; None when an admin switched it off."""
    if not organisation.disclosure_enabled:
        return None
    return disclosure_preview(organisation, language)
