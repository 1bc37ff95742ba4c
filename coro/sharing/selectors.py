from coro.sharing.models import Share


def share_by_code(code: str) -> Share | None:
    return Share.objects.select_related("post", "membership").filter(code=code).first()
