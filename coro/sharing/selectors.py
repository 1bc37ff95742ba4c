from coro.content.models import Post
from coro.orgs.models import Membership
from coro.sharing.models import Share


def share_by_code(code: str) -> Share | None:
    return Share.objects.select_related("post").filter(code=code).first()


def networks_shared(post: Post, membership: Membership) -> set[str]:
    return set(
        Share.objects.filter(post=post, membership=membership).values_list("network", flat=True)
    )
