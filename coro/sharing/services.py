from django.db import IntegrityError, transaction

from coro.content.models import Post
from coro.orgs.models import Membership
from coro.sharing.models import Click, Share


def share_get_or_create(*, post: Post, membership: Membership, network: str) -> Share:
    """The tracked link for (post, person, network), made on first use."""
    try:
        with transaction.atomic():
            share, _ = Share.objects.get_or_create(
                post=post, membership=membership, network=network
            )
    except IntegrityError:
        # Two clicks at once: the other request made it first.
        share = Share.objects.get(post=post, membership=membership, network=network)
    return share


def click_record(*, share_id: int) -> Click:
    return Click.objects.create(share_id=share_id)


def shares_detach(*, membership: Membership) -> int:
    """Unlink the person from their tracked links, which keep working and counting visits,
    anonymously. Used when they leave the program; returns how many links were detached."""
    return Share.objects.filter(membership=membership).update(membership=None)
