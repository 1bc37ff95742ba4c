"""Typed settings helpers that fail loudly.

Every value may also come from a file named by ``<NAME>_FILE`` (Docker and
systemd secrets), so secrets never have to sit in the environment itself.
"""

import os
from collections.abc import Mapping
from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or cannot be parsed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str]) -> str | None:
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE points to {file_name!r}, which cannot be read: {exc}"
            ) from exc
    return environ.get(name)


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] = os.environ
) -> str:
    value = _raw(name, environ)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"The setting {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] = os.environ) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, environ: Mapping[str, str] = os.environ) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] = os.environ
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: Mapping[str, str], *, environ: Mapping[str, str] = os.environ
) -> str:
    """Map a short name (``database``) to a full value (a backend path)."""
    value = env_str(name, default, environ=environ)
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ConfigError(f"{name} must be one of {allowed}, not {value!r}.")
    return choices[value]


KEY_ID_MAX_LENGTH = 32


def env_keys(
    name: str, default: dict[str, str] | None = None, *, environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """Named secret keys, ``id:secret,id2:secret2``; the first one is the one in use, the
    others are kept to check what older keys signed (rotation)."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        if default is None:
            raise ConfigError(f"The setting {name} is required (id:secret, see the docs).")
        return default
    keys: dict[str, str] = {}
    for item in value.split(","):
        key_id, sep, secret = item.strip().partition(":")
        if not sep or not key_id or not secret:
            raise ConfigError(f"{name} must be id:secret pairs separated by commas.")
        if len(key_id) > KEY_ID_MAX_LENGTH:
            raise ConfigError(f"{name}: a key id has {KEY_ID_MAX_LENGTH} characters at most.")
        if len(secret) < 32:
            raise ConfigError(f"{name}: the secret of key {key_id!r} needs 32 characters or more.")
        if key_id in keys:
            raise ConfigError(f"{name} names the key {key_id!r} twice.")
        keys[key_id] = secret
    return keys
