"""The feed (what each person sees of the company's live posts) and a post's own page."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString

from coro.content import community
from coro.content.community import ReactionBar
from coro.content.community_forms import CommentForm
from coro.content.feed import (
    feed_posts,
    posts_open_to_community,
    posts_viewable,
    with_community,
)
from coro.content.markdown import render_markdown
from coro.content.models import Post
from coro.content.selectors import proposer_name, topics_of
from coro.networks import NETWORKS
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership
from coro.program.selectors import invitation_banner_shown, is_enrolled

PAGE_SIZE = 10
QUERY_MAX_LENGTH = 200


@dataclass(frozen=True)
class PostCard:
    """What ``_post_card.html`` shows of one post to one person."""

    post: Post
    bar: ReactionBar
    body_html: SafeString
    # Who proposed it, named only if they opted in to recognition.
    proposer: str | None


def post_card(post: Post, membership: Membership) -> PostCard:
    return PostCard(
        post=post,
        bar=community.reaction_bar(post=post, membership=membership),
        body_html=render_markdown(post.body),
        proposer=proposer_name(post),
    )


def _sharing_context(membership: Membership) -> dict[str, object]:
    enrolled = is_enrolled(membership)
    return {
        "enrolled": enrolled,
        "membership_enrolled": enrolled,  # the menu's leave button, without asking again
        "networks": NETWORKS.values(),
    }


@org_view()
def feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    topics = list(topics_of(membership.organisation))
    topic = next((t for t in topics if t.code == request.GET.get("topic")), None)
    posts = feed_posts(membership, topic=topic.code if topic else None, query=query)
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    sharing = _sharing_context(membership)
    context = {
        **sharing,
        "membership": membership,
        "page": page,
        "cards": [post_card(post, membership) for post in page],
        "query": query,
        "topics": topics,
        "topic": topic,
        # Never asked of people who take part; dismissed for good until the terms change.
        "invitation_banner": not sharing["enrolled"] and invitation_banner_shown(membership),
    }
    return render(request, "content/feed.html", context)


def post_detail_context(
    membership: Membership, post_code: str, form: CommentForm | None = None
) -> dict[str, object]:
    """Everything the post's page shows; ``form`` is a comment form with its errors."""
    post = org_object_or_404(
        with_community(posts_viewable(membership)),
        membership.organisation,
        code=post_code,
    )
    open_ = posts_open_to_community(membership).filter(pk=post.pk).exists()
    return {
        **_sharing_context(membership),
        "membership": membership,
        "post": post,
        "card": post_card(post, membership),
        "comments": community.comments_of(post),
        "form": form or CommentForm(),
        "community_closed": not open_,
        # Sharing is for live posts only.
        "share_closed": not open_ or post.status == Post.Status.IN_REVIEW,
    }


@org_view()
def post_detail(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    return render(request, "content/post_detail.html", post_detail_context(membership, code))
