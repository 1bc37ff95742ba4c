"""Where a tracked link may send its visitors: checked when the link is made and again at
every redirect (``sharing.hotpath``).

Only ``http`` and ``https`` addresses with a host, never Coro's own host (a tracked link
that loops back, or that borrows Coro's name to reach one of its pages, is refused).
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UTM_MEDIUM = "employee_advocacy"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def own_hosts() -> set[str]:
    """Coro's own host names: the one in ``BASE_URL`` and every allowed host."""
    hosts = {urlsplit(settings.BASE_URL).hostname or ""}
    hosts.update(h.lstrip(".").lower() for h in settings.ALLOWED_HOSTS if h != "*")
    return {h for h in hosts if h}


def target_allowed(url: str) -> bool:
    """Whether a tracked link may send visitors to ``url``."""
    if not url or any(ord(c) < 33 or c == "\\" for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host or not url.lower().startswith(
        parts.scheme + "://"
    ):
        return False
    return host not in own_hosts()


def validate_target(url: str) -> None:
    """A model and form validator: the message says what is wrong."""
    if url and not target_allowed(url):
        raise ValidationError(
            _(
                "A link must be a web address starting with http:// or https:// and lead "
                "outside Coro."
            ),
            code="target",
        )


def with_utm(url: str, *, source: str, campaign: str) -> str:
    """``url`` with Coro's campaign parameters set (``utm_source`` = the network,
    ``utm_medium`` = employee_advocacy, ``utm_campaign``); its other parameters kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in UTM_KEYS]
    query += [("utm_source", source), ("utm_medium", UTM_MEDIUM), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))
