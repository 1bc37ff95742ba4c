from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def utc_iso(value: datetime | None) -> str:
    """An instant as the consent ledger exports it: ISO 8601 in UTC, with microseconds."""
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat(timespec="microseconds")
