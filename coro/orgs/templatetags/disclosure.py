from django import template
from django.utils.translation import get_language

from coro.orgs.disclosure import disclosure_text
from coro.orgs.models import Organisation

register = template.Library()


@register.simple_tag
def disclosure_for(organisation: Organisation) -> str | None:
    """The disclosure in the reader's language, or None when it is switched off."""
    return disclosure_text(organisation, get_language())
