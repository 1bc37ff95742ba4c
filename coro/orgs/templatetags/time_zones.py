"""``zone_label``: a time zone as people read it ("Madrid (UTC+1)"), for every page that shows
times in the organisation's zone (``{% load time_zones %}``)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import timezone

register = template.Library()

# Zones that are UTC under another name: shown as "UTC" alone.
_UTC_NAMES = frozenset({"UTC", "UCT", "GMT", "ZULU", "UNIVERSAL", "GREENWICH"})


def utc_offset(offset: timedelta) -> str:
    """ "UTC+1", "UTC+5:30", "UTC+0", and three hours behind "UTC\u22123" (a minus sign, which
    screen readers read as "minus")."""
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@register.filter
def zone_label(name: object, at: datetime | None = None) -> str:
    """ "Europe/Madrid" as "Madrid (UTC+1)": the place without its region or underscores
    ("America/New_York": "New York"), and the offset from UTC at ``at`` (now by default: it
    changes with summer time). Words in no language, so the sentence around it translates
    as it is. "UTC" (and its other names) is "UTC", "Etc/GMT+3" three hours behind it; a name
    Python does not know is shown as it is."""
    text = str(name)
    try:
        zone = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return text
    moment = (at or timezone.now()).astimezone(zone)
    offset = utc_offset(moment.utcoffset() or timedelta(0))
    place = text.rsplit("/", 1)[-1].replace("_", " ")
    if text.startswith("Etc/") or place.upper() in _UTC_NAMES:
        return "UTC" if offset == "UTC+0" else offset  # "Etc/GMT+3": three hours behind
    return f"{place} ({offset})"
