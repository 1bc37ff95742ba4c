from django.db import IntegrityError, transaction

from coro.content.models import Post
from coro.orgs.models import Membership
from coro.sharing.models import Click, Share


def share_get_or_create(*, post: Post, membership: Membership, network: str) -> Share:
    """The tracked link for (post, person, network), made on first use."""
    try:
        with transaction.atomic():
            share, _ = Share.objects.get_or_create(
                post=post,
                membership=membership,
                network=network,
                defaults={"team_id": membership.team_id},
            )
    except IntegrityError:
        # Two clicks at once: the other request made it first.
        share = Share.objects.get(post=post, membership=membership, network=network)
    return share


def click_record(*, share: Share) -> Click:
    """Count one visit, in the sharer's team of the moment (none for an anonymous link)."""
    team_id = share.membership.team_id if share.membership is not None else None
    return Click.objects.create(share=share, team_id=team_id)


def shares_detach(*, membership: Membership) -> int:
    """Unlink the person from their tracked links, which keep working and counting visits,
    anonymously. Used when they leave the program; returns how many links were detached."""
    return Share.objects.filter(membership=membership).update(membership=None)
