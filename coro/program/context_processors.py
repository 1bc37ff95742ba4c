from django.http import HttpRequest

from coro.orgs.access import current_membership
from coro.program.selectors import is_enrolled, terms_update_pending


def program(request: HttpRequest) -> dict[str, object]:
    """Whether the person takes part, for the menu's leave button and the new-terms banner."""
    current = current_membership(request)
    if current is None:
        return {}
    # Lazily, so pages that never show the menu pay no query; a view that already knows
    # (the feed) passes ``membership_enrolled`` itself, which wins.
    return {
        "membership_enrolled": lambda: is_enrolled(current),
        "terms_update_pending": lambda: terms_update_pending(current),
    }
