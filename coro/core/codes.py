"""Opaque public identifiers: random, unguessable, never sequential."""

import secrets

# No 0/o, 1/l/i: codes are read aloud and typed from printed material.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
