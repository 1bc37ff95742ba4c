from django import template
from django.utils.translation import get_language

from coro.orgs.disclosure import disclosure_text
from coro.orgs.models import Organisation

register = template.Library()


@register.simple_tag
def disclosure_for(organisation: Organisation, language: str | None = None) -> str | None:
    """The disclosure in ``language`` (the reader's by default: pass a text's own language
    to match it), or None when it is switched off."""
    return disclosure_text(organisation, language or get_language())
