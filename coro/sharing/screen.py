"""What the share screen shows (the page, or the dialog on the feed): the person's words,
the counter, the preview as the network shows it, the server question for networks on the
person's own server, and the optional posting part of connected accounts."""

from typing import Any

from coro.connections.profile_forms import ServerForm
from coro.content.models import Post, PostText
from coro.networks import NETWORKS, Network, too_long
from coro.orgs.disclosure import disclosure_previews
from coro.orgs.models import Membership
from coro.sharing import selectors
from coro.sharing.authenticity import several_shared_the_same, unfilled_prompts
from coro.sharing.forms import ShareForm
from coro.sharing.texts import preview_around

# The destination a share through the phone's own share sheet counts under: Coro cannot know
# which app the person picks there, so it counts as "elsewhere", like copying the text.
ELSEWHERE = "copy"


def hints(membership: Membership, post: Post, text: str) -> dict[str, Any]:
    """What the screen says about the text as it stands: prompts left to fill in, and
    whether several colleagues already shared almost the same words (never who). A text
    longer than Coro takes is not looked at (its error says so)."""
    if too_long(text):
        return {"prompts": [], "similar": False}
    colleagues = selectors.colleague_texts(post=post, membership=membership)
    ignore = disclosure_previews(membership.organisation).values()
    return {
        "prompts": unfilled_prompts(text),
        "similar": several_shared_the_same(text, colleagues, ignore),
    }


def counter(target: Network, text: str, link: str) -> dict[str, Any]:
    """The count shown without JavaScript (none for a text longer than Coro counts)."""
    remaining = None if too_long(text) else target.remaining(text, link)
    return {"remaining": remaining, "over": -remaining if remaining is not None else None}


def screen_context(
    *,
    membership: Membership,
    post: Post,
    post_text: PostText,
    target: Network,
    form: ShareForm,
    text: str,
    link: str,
    server: str,
    server_form: ServerForm | None,
) -> dict[str, Any]:
    before, gap, link_in_text = preview_around(target, link)
    return {
        "membership": membership,
        "post": post,
        "post_text": post_text,
        "network": target,
        "form": form,
        "errors": form.errors.get("text", []),
        "recheck": bool(form.errors),
        "link": link,
        "takes_text": target.takes_text,
        "copies": target.intent_url is None,
        "preview": selectors.preview_ready(post),
        "preview_before": before,
        "preview_gap": gap,
        "preview_link_in_text": link_in_text,
        "preview_text": text,
        "server": server,
        # Asked first, when the network's share page is on the person's own server.
        "server_form": server_form,
        "elsewhere": ELSEWHERE in NETWORKS,
        **hints(membership, post, text),
        **counter(target, text, link),
    }
