"""Helpers that keep shared words the person's own (charter rule 5).

- **Fill-in prompts.** An editor's suggested text may hold places for the person's own
  words, written ``[[why this matters to you]]``. A text with a prompt left in it does not
  go out.
- **Near-duplicates.** When a text is almost the same as what several colleagues already
  shared for the same post, the share screen says so and invites the person to make it their
  own. It never blocks, and never says who those colleagues are or how many there were.

How "almost the same" is measured: both texts are normalised (lower case, the
organisation's disclosure and any link removed, runs of whitespace and punctuation made
one space), then compared with ``difflib.SequenceMatcher``; a ratio of ``SIMILAR_ENOUGH``
(0.9) or more counts as almost the same. A ratio of 0.9 means about one character in ten
differs: changing a word or two in a sentence stays "almost the same", writing a sentence
of one's own does not.
"""

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

PROMPT = re.compile(r"\[\[\s*([^\[\]]*?)\s*\]\]")
# The ratio at or above which two normalised texts are "almost the same".
SIMILAR_ENOUGH = 0.9
# How many colleagues make "several": the hint shows from this many on.
SEVERAL = 2
# Links are removed before comparing: each person's tracked link is different.
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_NOT_WORDS = re.compile(r"[\W_]+")


def unfilled_prompts(text: str) -> list[str]:
    """The fill-in prompts still in ``text``, each once, in order of appearance."""
    found: list[str] = []
    for match in PROMPT.finditer(text):
        prompt = match.group(1) or "…"
        if prompt not in found:
            found.append(prompt)
    return found


def prompts_message(prompts: list[str]) -> str:
    """Why a text with prompts left in it cannot go out yet."""
    named = ", ".join(f"“{prompt}”" for prompt in prompts)
    return _("Fill in %(prompts)s in your own words before sharing.") % {"prompts": named}


def normalised(text: str, ignore: Iterable[str] = ()) -> str:
    """The words of ``text`` only: lower case, without the ``ignore`` phrases (the
    disclosure), links, punctuation or extra whitespace."""
    text = text.casefold()
    for phrase in sorted({p.casefold() for p in ignore if p}, key=len, reverse=True):
        text = text.replace(phrase, " ")
    text = _LINK.sub(" ", text)
    return _NOT_WORDS.sub(" ", text).strip()


def almost_the_same(a: str, b: str) -> bool:
    """Whether two normalised texts are almost the same (see the module's docstring)."""
    if not a or not b:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds first: most texts differ enough to stop there.
    return (
        matcher.real_quick_ratio() >= SIMILAR_ENOUGH
        and matcher.quick_ratio() >= SIMILAR_ENOUGH
        and matcher.ratio() >= SIMILAR_ENOUGH
    )


def similar_shares(text: str, others: Iterable[str], ignore: Iterable[str] = ()) -> int:
    """How many of ``others`` are almost the same as ``text``. A text with no words of its
    own (only the disclosure and a link, say) is like nothing."""
    ignore = list(ignore)
    mine = normalised(text, ignore)
    return sum(1 for other in others if almost_the_same(mine, normalised(other, ignore)))


def similar_colleagues(
    text: str, texts_by_colleague: Iterable[Iterable[str]], ignore: Iterable[str] = ()
) -> int:
    """How many colleagues shared at least one text almost the same as ``text``."""
    ignore = list(ignore)
    return sum(1 for texts in texts_by_colleague if similar_shares(text, texts, ignore) > 0)


def several_shared_the_same(
    text: str, texts_by_colleague: Iterable[Iterable[str]], ignore: Iterable[str] = ()
) -> bool:
    """Whether the share screen should invite the person to make the text their own."""
    return similar_colleagues(text, texts_by_colleague, ignore) >= SEVERAL
