"""Secrets kept in the database, encrypted (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

``settings.ENCRYPTION_KEYS`` maps key ids to secrets; the first key encrypts, and a
``MultiFernet`` over all of them decrypts, so a key can be rotated: put the new key first and
keep the old one until ``reencrypt`` has rewritten every value. A stored value names the key
that encrypted it, ``<key id>:<Fernet token>``: that key is tried first, and a value whose key
is gone fails with a message naming it.

Each Fernet key is the SHA-256 of the configured secret, in URL-safe base64.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value cannot be decrypted: it was changed, or its key is not configured.

    Never caught to carry on with a guess: the caller fails closed."""


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def _keys() -> dict[str, str]:
    keys = dict(settings.ENCRYPTION_KEYS)
    if not keys:
        raise DecryptionError("ENCRYPTION_KEYS is empty: no key to encrypt or decrypt with.")
    return keys


def current_key_id() -> str:
    return next(iter(_keys()))


def _multi_fernet(first: str | None = None) -> MultiFernet:
    """All the keys, the one named ``first`` (if configured) tried first."""
    keys = _keys()
    order = sorted(keys, key=lambda key_id: key_id != first)
    return MultiFernet([_fernet(keys[key_id]) for key_id in order])


def encrypt(text: str) -> str:
    """``text`` encrypted with the first key, as ``<key id>:<token>``."""
    token = _multi_fernet().encrypt(text.encode()).decode("ascii")
    return f"{current_key_id()}:{token}"


def key_id_of(value: str) -> str:
    """The id of the key a stored value was encrypted with (it need not be configured)."""
    key_id, sep, _token = value.partition(":")
    if not sep or not key_id:
        raise DecryptionError("The value is not an encrypted value (no key id).")
    return key_id


def decrypt(value: str) -> str:
    """The text a value from ``encrypt`` holds. Raises ``DecryptionError`` if the value was
    changed in any way, or if its key is no longer in ``ENCRYPTION_KEYS``."""
    key_id = key_id_of(value)
    token = value.partition(":")[2]
    try:
        return _multi_fernet(first=key_id).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        if key_id not in _keys():
            raise DecryptionError(
                f"The value was encrypted with the key {key_id!r}, which is not in ENCRYPTION_KEYS."
            ) from None
        raise DecryptionError(
            f"The value does not decrypt with the key {key_id!r}: it was changed."
        ) from None


def needs_reencryption(value: str) -> bool:
    """Whether the value was encrypted with a key other than the current one."""
    return key_id_of(value) != current_key_id()


def reencrypt(value: str) -> str:
    """The same text, encrypted with the current key (for key rotation)."""
    return encrypt(decrypt(value))
