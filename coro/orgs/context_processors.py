from django.http import HttpRequest

from coro.accounts.models import User
from coro.orgs.selectors import memberships_of_user


def memberships(request: HttpRequest) -> dict[str, object]:
    """The organisations of the signed-in person, for the switcher in the header."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"my_memberships": memberships_of_user(user)}
