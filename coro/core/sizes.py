"""Byte counts as people say them ("10 MB", "500 KB"), for limits in messages."""

from django.utils.translation import gettext as _

KB = 1024
MB = 1024 * KB


def size_text(n: int) -> str:
    """ "10 MB", "1.5 MB", "500 KB": ``n`` bytes, rounded down (so "bigger than" it stays
    true of anything bigger than ``n``)."""
    if n >= MB:
        return _("%(count)s MB") % {"count": f"{n * 10 // MB / 10:g}"}
    return _("%(count)s KB") % {"count": max(1, n // KB)}
