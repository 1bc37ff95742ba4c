"""Where a tracked link may send its visitors: checked when the link is made and again at
every redirect (``sharing.hotpath``).

Only ``http`` and ``https`` addresses with a host, written the way every browser reads them
alike: no spaces, control or invisible characters, no backslashes, no user name or password
before the host, no host written as a bare number (``http://2130706433/`` is 127.0.0.1), a
valid port. Never Coro's own host (a tracked link that loops back, or that borrows Coro's
name to reach one of its pages, is refused): the host of ``BASE_URL`` and every host
``ALLOWED_HOSTS`` lets in, whatever its case, port or trailing dot.
"""

import ipaddress
import re
import unicodedata
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.http import is_same_domain
from django.utils.translation import gettext_lazy as _

UTM_MEDIUM = "employee_advocacy"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


HOST_CHARACTERS = re.compile(r"^[a-z0-9_.-]+$")


def _host_normal(host: str) -> str:
    """A host name as compared: lower case and in ASCII (``bücher.example`` is
    ``xn--bcher-kva.example``, ``coro。example`` is ``coro.example``), without brackets or
    trailing dot; an IP address in its canonical form (``0:0::1`` is ``::1``). Empty for a
    host that is not a host name at all."""
    host = host.strip("[]").lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        host = host.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:
        return ""
    return host if HOST_CHARACTERS.match(host) else ""


def own_hosts() -> list[str]:
    """Coro's own hosts as ``ALLOWED_HOSTS`` patterns (``.example.com`` covers its
    subdomains): the host of ``BASE_URL`` and every allowed host but ``*``."""
    patterns = [urlsplit(settings.BASE_URL).hostname or ""]
    patterns += [h for h in settings.ALLOWED_HOSTS if h != "*"]
    found = []
    for pattern in patterns:
        wildcard = pattern.startswith(".")
        if pattern.count(":") == 1:  # host:port
            pattern = pattern.split(":")[0]
        host = _host_normal(pattern.lstrip("."))
        if host:
            found.append("." + host if wildcard else host)
    return found


def _looks_numeric(host: str) -> bool:
    """A host that browsers read as an IPv4 address although it is not written as one
    (``2130706433``, ``0x7f.1``, ``127.1``): its last label is a number."""
    last = host.rsplit(".", 1)[-1]
    return last.isdigit() or (
        last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:])
    )


def _odd_character(url: str) -> bool:
    """Spaces, control, format (zero-width) or separator characters, or a backslash."""
    return any(c == "\\" or c.isspace() or unicodedata.category(c)[0] in ("C", "Z") for c in url)


def target_allowed(url: str) -> bool:
    """Whether a tracked link may send visitors to ``url``."""
    if not url or len(url) > 2000 or _odd_character(url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not url.lower().startswith(parts.scheme + "://"):
        return False
    netloc = parts.netloc
    if not netloc or "@" in netloc or port == 0 or netloc.endswith(":"):
        return False
    host = _host_normal(parts.hostname or "")
    if not host or host.startswith(".") or ".." in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if _looks_numeric(host):
            return False
    return not any(is_same_domain(host, pattern) for pattern in own_hosts())


TARGET_REFUSED = _(
    "This link cannot be used: it must be a full web address starting with http:// or "
    "https://, without spaces, and lead to a site other than Coro."
)


def validate_target(url: str) -> None:
    """A model and form validator: the message says what is wrong."""
    if url and not target_allowed(url):
        raise ValidationError(TARGET_REFUSED, code="target")


def _param(name: str, value: str) -> str:
    return f"{quote(name, safe='')}={quote(value, safe='')}"


def with_utm(url: str, *, source: str, campaign: str) -> str:
    """``url`` with Coro's campaign parameters set (``utm_source`` = the network,
    ``utm_medium`` = employee_advocacy, ``utm_campaign``): parameters of those names are
    replaced, every other parameter and the fragment are kept exactly as they were written."""
    parts = urlsplit(url)
    kept = [
        segment
        for segment in parts.query.split("&")
        if segment and unquote_plus(segment.split("=", 1)[0]) not in UTM_KEYS
    ]
    ours = [
        _param("utm_source", source),
        _param("utm_medium", UTM_MEDIUM),
        _param("utm_campaign", campaign),
    ]
    return urlunsplit(parts._replace(query="&".join(kept + ours)))
