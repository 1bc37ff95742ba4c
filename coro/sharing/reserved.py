"""The tracked link a share will have, known when the share screen is shown.

No ``Share`` row is made before the person shares (rows count as shares). The screen instead
carries a new code, signed for this person, post and network; the share made from that
screen uses it. So the preview shows the link that will work, and the page can copy or hand
the text and link to the phone's share sheet in the click itself (browsers allow those only
right after a click), recording the share alongside.

A share that exists already keeps its code: the screen shows that one and needs no token.
"""

from dataclasses import dataclass
from typing import Any

from django.core import signing

from coro.content.models import Post
from coro.core.codes import ALPHABET, new_code
from coro.networks.links import EXAMPLE_CODE, tracked_link
from coro.orgs.models import Membership
from coro.sharing import selectors

SALT = "coro.sharing.reserved"
# A screen left open for longer gets a new code when it shares (the preview's link then
# differs from the one that goes out, which still works).
MAX_AGE = 7 * 24 * 3600


@dataclass(frozen=True)
class Reservation:
    code: str
    # The signed code for the screen's hidden field; "" when the share exists already.
    token: str

    @property
    def link(self) -> str:
        return tracked_link(self.code)


def _claims(post: Post, membership: Membership, network: str) -> dict[str, Any]:
    return {"p": post.pk, "m": membership.pk, "n": network}


def _code_valid(code: object) -> bool:
    return (
        isinstance(code, str)
        and len(code) == len(EXAMPLE_CODE)
        and all(character in ALPHABET for character in code)
    )


def _token_code(token: str, *, post: Post, membership: Membership, network: str) -> str | None:
    """The code ``token`` reserves, if it was signed for this person, post and network, is
    recent enough and no share uses it yet."""
    if not token:
        return None
    try:
        claims = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(claims, dict):
        return None
    code = claims.pop("c", None)
    if claims != _claims(post, membership, network) or not _code_valid(code):
        return None
    assert isinstance(code, str)
    if selectors.share_by_code(code) is not None:
        return None
    return code


def reservation(
    *, post: Post, membership: Membership, network: str, token: str = ""
) -> Reservation:
    """The code the person's share of ``post`` on ``network`` has (it exists), or the one
    ``token`` reserved (a screen shown before, sent back), or a new reserved one."""
    earlier = selectors.share_of(post=post, membership=membership, network=network)
    if earlier is not None:
        return Reservation(code=earlier.code, token="")
    code = _token_code(token, post=post, membership=membership, network=network)
    if code is None:
        code = new_code()
        token = signing.dumps({**_claims(post, membership, network), "c": code}, salt=SALT)
    return Reservation(code=code, token=token)
