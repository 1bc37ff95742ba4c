"""The People page's columns, shared by the admins' page and the person's own page."""

from typing import Any

from django import template

from coro.orgs.models import Membership
from coro.privacy import selectors

register = template.Library()


@register.simple_tag
def people_columns() -> tuple[tuple[str, Any], ...]:
    return selectors.people_columns()


@register.filter
def people_cell(membership: Membership, path: str) -> object:
    return selectors.people_cell(membership, path)
