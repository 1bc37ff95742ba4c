"""Telling visits apart without knowing the visitor (issue "clicks", point 3).

A visit is counted once per visitor, link and hour. The visitor is a keyed hash of their
address and user agent under a salt of the day: the salt is random, one per UTC day, kept
in the database only while its day lasts (``VisitSalt``) and mixed with ``SECRET_KEY``, so
neither a copy of the database nor the server's settings alone can test an address against
a stored key, and once the day is over nobody can. Only the keys are stored, each for as
long as it is needed (an hour, or the day: ``VisitSeen``); no address, ever.

The address is the client's as the server saw it, unless the request came through one of
``TRUSTED_PROXIES``: then ``X-Forwarded-For`` is read from the right, skipping trusted hops,
so a visitor who writes their own header changes nothing.
"""

import hashlib
import hmac
import ipaddress
import secrets
import threading
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction

from coro.sharing.bots import is_preview_bot
from coro.sharing.models import VisitSalt

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _hop(value: str) -> str:
    """One ``X-Forwarded-For`` entry without the port some proxies add (``1.2.3.4:5678``,
    ``[2001:db8::1]:443``), so that one visitor is one address however it is written."""
    value = value.strip()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def client_address(remote_addr: str, forwarded_for: str = "") -> str:
    """The visitor's address: ``remote_addr``, or, when that is a trusted proxy, the nearest
    address in ``X-Forwarded-For`` that is not one (the entries before it were written by
    whoever sent the request, and are not believed)."""
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not trusted or not _is_trusted(remote_addr, trusted):
        return remote_addr
    hops = [_hop(h) for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else remote_addr


PREFETCH_HEADERS = (
    ("purpose", "prefetch"),
    ("sec-purpose", "prefetch"),
    ("x-moz", "prefetch"),
    ("x-purpose", "preview"),  # Safari's previews
)


def is_preview(method: str, user_agent: str, headers: dict[str, str]) -> bool:
    """A fetch that is not a person following the link: ``HEAD`` (or anything but ``GET``),
    a prefetch, or a known bot or link-preview fetcher. ``headers`` by lower-case name."""
    if method != "GET" or is_preview_bot(user_agent):
        return True
    return any(wanted in headers.get(name, "").lower() for name, wanted in PREFETCH_HEADERS)


# The salt of the day -------------------------------------------------------------------

_salts: dict[date, bytes] = {}
_salts_lock = threading.Lock()


def salt_of(day: date) -> bytes:
    """The day's salt, made by whichever process needs it first; cached for the day."""
    salt = _salts.get(day)
    if salt is not None:
        return salt
    with _salts_lock:
        stored = VisitSalt.objects.filter(day=day).values_list("salt", flat=True).first()
        if stored is None:
            try:
                with transaction.atomic():
                    VisitSalt.objects.create(day=day, salt=secrets.token_bytes(32))
            except IntegrityError:
                pass  # another process made it first: use theirs
            stored = VisitSalt.objects.filter(day=day).values_list("salt", flat=True).get()
        _salts.clear()  # yesterday's is of no use any more
        _salts[day] = bytes(stored)
        return _salts[day]


def salts_prune(*, now: datetime | None = None) -> int:
    """Destroy the salts of days that are over; how many."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    deleted, _ = VisitSalt.objects.filter(day__lt=today).delete()
    return deleted


@lru_cache(maxsize=4)
def _day_secret(secret_key: str, salt: bytes) -> bytes:
    """The key of the day's hashes: the salt mixed with ``SECRET_KEY``, made once per day
    and process rather than at every visit."""
    return hmac.new(secret_key.encode(), salt, hashlib.sha256).digest()


def _key(salt: bytes, *parts: str) -> str:
    secret = _day_secret(settings.SECRET_KEY, salt)
    return hmac.new(secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def visit_keys(
    *, salt: bytes, address: str, user_agent: str, code: str, organisation: str, at: datetime
) -> tuple[str, str]:
    """The keys of one visit: (this visitor on this link in this hour, this visitor of the
    organisation on this day)."""
    hour = at.astimezone(UTC).strftime("%Y-%m-%dT%H")
    visitor = (address, user_agent[:512])
    return (_key(salt, *visitor, "link", code, hour), _key(salt, *visitor, "org", organisation))


def hour_end(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def day_end(at: datetime) -> datetime:
    start = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1)
