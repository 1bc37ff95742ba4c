from coro.accounts.models import User


def profile_update(*, user: User, name: str, language: str) -> User:
    """The person's name, and their language ("" follows their browser)."""
    user.name = name.strip()
    user.language = language
    user.full_clean()
    user.save(update_fields=["name", "language"])
    return user


def language_set(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean()
    user.save(update_fields=["language"])
    return user
