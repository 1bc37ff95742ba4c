from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coro.connections.selectors import audience_of
from coro.content.models import Post
from coro.content.services import post_link_lock
from coro.networks import Network, text_validate
from coro.orgs.models import Membership
from coro.sharing.authenticity import prompts_message, unfilled_prompts
from coro.sharing.models import Click, Share


def share_text_check(*, network: Network, text: str, link: str) -> None:
    """Refuse a text that cannot go out yet: a fill-in prompt left in it, or longer than
    the network allows with the link (as the network counts). Says all that is wrong."""
    errors: list[ValidationError] = []
    prompts = unfilled_prompts(text)
    if prompts:
        errors.append(ValidationError(prompts_message(prompts), code="prompt"))
    try:
        text_validate(network, text, link)
    except ValidationError as error:
        errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def share_get_or_create(
    *, post: Post, membership: Membership, network: str, code: str | None = None
) -> Share:
    """The tracked link for (post, person, network), made on first use, with ``code`` when
    given (the one the share screen reserved and showed, ``sharing.reserved``) and unused.
    An existing share keeps its own code and its audience (the sharer's audience on the
    network when they first shared: what the dashboard's reach adds up)."""
    existing = Share.objects.filter(post=post, membership=membership, network=network).first()
    if existing is not None:
        return existing
    defaults: dict[str, object] = {
        "team_id": membership.team_id,
        "audience": audience_of(membership, network),
    }
    if code:
        defaults["code"] = code
    try:
        with transaction.atomic():
            share, _ = Share.objects.get_or_create(
                post=post, membership=membership, network=network, defaults=defaults
            )
    except IntegrityError:
        # Two clicks at once: the other request made it first. (Or, beyond belief, the
        # reserved code was taken meanwhile: then a new one.)
        existing = Share.objects.filter(post=post, membership=membership, network=network).first()
        if existing is None:
            return share_get_or_create(post=post, membership=membership, network=network)
        share = existing
    return share


def share_record(
    *, post: Post, membership: Membership, network: str, text: str, code: str | None = None
) -> Share:
    """The person shares the post on a network with their own words: the tracked link (made
    on first use, with the reserved ``code`` if given) remembers the text, and the post's
    link is frozen from the first share on.

    The post's row is locked first, as ``content.services.post_update`` locks it: a link
    change and a first share never cross. Either the change is saved first and this share
    carries the new link, or the share is saved first and the change is refused. The share
    (``share.post``) holds the post as read under the lock, with its link of now."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        share = share_get_or_create(post=locked, membership=membership, network=network, code=code)
        share.post = locked
        share.text = text
        share.full_clean()
        share.save(update_fields=["text"])
        post_link_lock(post=locked)
    return share


def click_record(*, share: Share) -> Click:
    """Count one visit, in the sharer's team of the moment (none for an anonymous link)."""
    team_id = share.membership.team_id if share.membership is not None else None
    return Click.objects.create(share=share, team_id=team_id)


def shares_detach(*, membership: Membership) -> int:
    """Unlink the person from their tracked links, which keep working and counting visits,
    anonymously, and forget the words they shared and their audience (those are theirs).
    Used when they leave the program; returns how many links were detached."""
    return Share.objects.filter(membership=membership).update(
        membership=None, text="", audience=None
    )
