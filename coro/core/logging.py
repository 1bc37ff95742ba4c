"""A quiet, honest console: a refused or unknown page is one line, never a traceback.

Django logs a 403 (``PermissionDenied``) and a 400 (``BadRequest``, ``SuspiciousOperation``)
with the exception attached, so every refused request printed a traceback, although
nothing went wrong in Coro: the guard did its job. :class:`ClientErrorsOnOneLine`, on the
console handler (``LOGGING`` in ``coro/settings.py``), prints such a record as one line,
``GET /o/abc/people/ 403 Forbidden``, and Django's other 4xx lines ("Not Found: /x") the same
way. Under ``coro serve`` the web server's access log already has that line for every
request, so Coro adds none unless it has something to add (why a host was refused). A 5xx
keeps its traceback: that one is a fault.
"""

import logging
import os
from http import HTTPStatus

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError

# Set by ``coro serve`` for its web server's processes when they write an access log.
ACCESS_LOG_ENV = "CORO_ACCESS_LOG"

CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


def _escaped(text: str) -> str:
    """As Django logs a path: control characters escaped, so no one forges a log line."""
    return text.encode("unicode_escape").decode("ascii")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def access_logged() -> bool:
    """Whether the web server writes a line for every request itself (granian's access log,
    which ``coro serve`` turns on and says so in ``CORO_ACCESS_LOG``)."""
    return os.environ.get(ACCESS_LOG_ENV) == "1"


class ClientErrorsOnOneLine(logging.Filter):
    """Turn Django's records of a 4xx answer into ``METHOD path status reason``, without
    the traceback; every other record passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        if not isinstance(request, HttpRequest):
            return True
        exception = record.exc_info[1] if record.exc_info else None
        if exception is None and record.name != "django.request":
            return True  # e.g. a CSRF refusal: already one line, and its reason helps
        if exception is not None and not isinstance(exception, CLIENT_ERRORS):
            return True
        detail = str(exception) if exception is not None else ""
        if not detail and access_logged():
            return False  # the access log's line for this request says it all
        line = f"{request.method} {_escaped(request.path)} {status} {_phrase(status)}".rstrip()
        if detail:
            # e.g. "Invalid HTTP_HOST header: ...": the news, so it stays.
            line = f"{line}: {_escaped(detail)}"
        record.msg = line
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True
