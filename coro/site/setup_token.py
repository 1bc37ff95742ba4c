"""The one-time token that opens ``/setup/`` on a server with no organisation yet.

``coro serve`` issues it when it starts and no organisation exists, and prints it (and logs
it): only someone who can read the server's console can set Coro up over the web, not
someone who merely finds a fresh server. Only the token's SHA-256 is kept, in a file of the
data folder readable by Coro's user alone; a new start replaces it, and using it removes it.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings

# Letters and digits nobody confuses when copying by hand (no 0/o, 1/l/i).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_SIZE = 5, 5  # 25 characters, about 124 bits


def token_path() -> Path:
    return Path(settings.DATA_DIR) / "setup-token.sha256"


def _digest(token: str) -> str:
    normalised = "".join(token.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def setup_token_issue() -> str:
    """A new token; the previous one, if any, stops working."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    token = "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(_digest(token) + "\n")
    os.replace(temporary, path)
    return token


def _stored_digest(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def setup_token_issued() -> bool:
    return _stored_digest(token_path()) is not None


def setup_token_matches(token: str) -> bool:
    """Whether ``token`` is the current one (compared in constant time)."""
    stored = _stored_digest(token_path())
    if stored is None or not token:
        return False
    return hmac.compare_digest(stored, _digest(token))


class SetupTokenClaim:
    """Take the token for one setup, atomically: of two requests with the right token, only
    one claims it. ``burn()`` once the setup is saved; ``give_back()`` if it failed."""

    def __init__(self, token: str) -> None:
        self.claimed: Path | None = None
        path = token_path()
        if not setup_token_matches(token):
            return
        claimed = path.with_name(f"{path.name}.claimed-{secrets.token_hex(4)}")
        try:
            os.rename(path, claimed)  # atomic: a second request finds nothing to rename
        except OSError:
            return
        if hmac.compare_digest(_stored_digest(claimed) or "", _digest(token)):
            self.claimed = claimed
        else:  # replaced by a new start between the check and the rename
            self._restore(claimed)

    def __bool__(self) -> bool:
        return self.claimed is not None

    def _restore(self, claimed: Path) -> None:
        try:
            os.rename(claimed, token_path())
        except OSError:
            claimed.unlink(missing_ok=True)

    def burn(self) -> None:
        if self.claimed is not None:
            self.claimed.unlink(missing_ok=True)
            self.claimed = None

    def give_back(self) -> None:
        if self.claimed is not None:
            if token_path().exists():  # a newer token was issued meanwhile: it wins
                self.claimed.unlink(missing_ok=True)
            else:
                self._restore(self.claimed)
            self.claimed = None


def setup_token_revoke() -> None:
    """Remove the token (an organisation now exists, set up another way)."""
    token_path().unlink(missing_ok=True)
