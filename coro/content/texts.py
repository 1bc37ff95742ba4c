"""Small helpers for plain text (titles, descriptions, excerpts)."""

# What a shortened text never ends with, before its "…".
_TRAILING = " \n.,;:-\u2013\u2014"


def text_shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut (at a word, when one ends in the
    last 40 % of the room) and ended with "…", in ``limit`` characters at most."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at_space = cut.rstrip().rfind(" ")
    if at_space > limit * 0.6:
        cut = cut[:at_space]
    return cut.rstrip(_TRAILING) + "…"
