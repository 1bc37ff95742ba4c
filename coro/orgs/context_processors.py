from django.http import HttpRequest

from coro.accounts.models import User
from coro.orgs.selectors import memberships_of_user
from coro.program.selectors import is_enrolled, terms_update_pending


def memberships(request: HttpRequest) -> dict[str, object]:
    """The organisations of the signed-in person, for the switcher in the header."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    context: dict[str, object] = {"my_memberships": memberships_of_user(user)}
    current = getattr(request, "coro_membership", None)
    if current is not None:
        # Lazily, so pages that never show the menu pay no query; a view that already
        # knows (the feed) passes ``membership_enrolled`` itself, which wins.
        context["membership_enrolled"] = lambda: is_enrolled(current)
        context["terms_update_pending"] = lambda: terms_update_pending(current)
    return context
