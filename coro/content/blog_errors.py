"""Why a blog feed's last check failed, said in the reader's language.

The check runs in a worker, in whatever language is active there; the feed's settings page is
read later by an admin in theirs. So ``BlogFeed.last_error`` never holds words: it holds a
small JSON object, ``{"code": ..., "params": {...}}``, with plain JSON values, and
``blog_error_message(feed)`` puts it into words when the page is shown. A value written
before this (plain text) is shown as it is.

Codes: those of ``blog_parse.FeedProblem`` (the feed itself is wrong), ``item_invalid`` (an
item could not become a post), ``unexpected`` (a bug or a database hiccup) and ``fetch`` (the
feed could not be had; ``params["fetch"]`` is the fetcher's ``FetchError.code``).
"""

import json
import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from coro.content.blog_parse import FeedProblem, problem_message
from coro.content.models import BlogFeed
from coro.core.fetch import FetchError
from coro.core.languages import language_codes, pick
from coro.core.sizes import size_text

_STATUS = re.compile(r"\b([1-5]\d\d)\b")
_MEDIA_TYPE = re.compile(r"\b([a-z0-9][\w.+-]*/[\w.+-]+)", re.IGNORECASE)


def blog_error_dump(code: str, **params: Any) -> str:
    """What ``last_error`` stores for a failure ``code`` with its ``params``."""
    return json.dumps({"code": code, "params": params}, ensure_ascii=False, sort_keys=True)


def blog_error_of_problem(problem: FeedProblem) -> str:
    return blog_error_dump(problem.code, **problem.params)


def blog_error_of_validation(title: str, messages: dict[str, str]) -> str:
    """An item that could not become a post: ``messages`` by language (the model's
    messages, rendered in each language when the check ran)."""
    return blog_error_dump("item_invalid", title=title, problem=messages)


def validation_messages(error: Any) -> dict[str, str]:
    """A ValidationError's messages in every language (Django's are translated lazily)."""
    texts = {}
    for code in language_codes():
        with translation.override(code):
            texts[code] = " ".join(str(m) for m in error.messages)
    return texts


def blog_error_of_fetch(error: FetchError, *, max_bytes: int, timeout: float) -> str:
    """A fetch that failed (``max_bytes`` and ``timeout`` as given to ``fetch``).

    ``FetchError`` carries a message in the language active when it was raised, which is
    the active one now; what a message needs besides its code (the HTTP status, the type
    sent) is read back from it, unless the error has ``params`` of its own."""
    params: dict[str, Any] = dict(getattr(error, "params", None) or {})
    said = str(error)
    if error.code == "network" and said == _("The site's name could not be found."):
        params.setdefault("name", True)
    elif error.code == "status" and "status" not in params:
        found = _STATUS.search(said)
        if found:
            params["status"] = int(found.group(1))
    elif error.code == "type" and "type" not in params:
        found = _MEDIA_TYPE.search(said)
        params["type"] = found.group(1) if found else ""
    elif error.code == "size":
        params.setdefault("max_bytes", max_bytes)
    elif error.code == "timeout":
        params.setdefault("seconds", int(timeout) if float(timeout).is_integer() else timeout)
    elif error.code == "redirects":
        params.setdefault("count", FETCH_REDIRECTS)
    elif error.code not in _FETCH_PLAIN:
        params["text"] = said  # a code this module does not know: its words, as they were
    return blog_error_dump("fetch", fetch=error.code, **params)


FETCH_REDIRECTS = 3  # ``fetch``'s default, which the blog check uses

_FETCH_PLAIN = {
    "address": lambda: _("The address points to a private network, which Coro never fetches."),
    "url": lambda: _("That is not a valid web address."),
    "scheme": lambda: _("Coro only fetches http and https addresses."),
    "tls": lambda: _("The site's security certificate could not be checked."),
    "encoding": lambda: _("The site sent its answer packed in a way Coro can't read."),
    "test": lambda: _("Tests fetch only from this machine."),
    "network": lambda: _("The site could not be reached."),
}


def _fetch_reason(params: dict[str, Any]) -> str:
    code = str(params.get("fetch", ""))
    if code == "network" and params.get("name"):
        return _("The site's name could not be found.")
    if code == "status" and params.get("status"):
        return _("The site answered with an error (%(status)s).") % {"status": params["status"]}
    if code == "type":
        got = str(params.get("type") or "") or _("nothing said")
        return _("The address sent %(type)s, which Coro can't use here.") % {"type": got}
    if code == "size" and isinstance(params.get("max_bytes"), int):
        return _("The file is bigger than %(size)s.") % {"size": size_text(params["max_bytes"])}
    if code == "timeout" and params.get("seconds"):
        return _("The site took longer than %(seconds)s seconds.") % {"seconds": params["seconds"]}
    if code == "redirects" and params.get("count"):
        return _("Too many redirects (more than %(count)s).") % {"count": params["count"]}
    if code in _FETCH_PLAIN:
        return _FETCH_PLAIN[code]()
    return str(params.get("text") or "") or _("The site could not be reached.")


def _loaded(value: str) -> tuple[str, dict[str, Any]] | None:
    """(code, params) of a stored error; None for an old, plain-text one."""
    if not value.startswith("{"):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        return None
    params = data.get("params")
    return data["code"], params if isinstance(params, dict) else {}


def blog_error_code(feed: BlogFeed) -> str | None:
    """The code of the feed's last failure (None when the last check worked, or when the
    failure was stored as plain text)."""
    loaded = _loaded(feed.last_error) if feed.last_error else None
    return loaded[0] if loaded else None


def blog_error_message(feed: BlogFeed) -> str:
    """Why the feed's last check failed, in the active language; "" when it worked."""
    if not feed.last_error:
        return ""
    loaded = _loaded(feed.last_error)
    if loaded is None:
        return feed.last_error  # stored as words, before errors were stored as codes
    code, params = loaded
    if code == "fetch":
        return _("We couldn't get the feed: %(reason)s") % {"reason": _fetch_reason(params)}
    if code == "item_invalid":
        problems = params.get("problem")
        problem = pick(problems) if isinstance(problems, dict) else None
        return _(
            "The item “%(item)s” couldn't become a post (%(problem)s). Nothing was imported."
        ) % {"item": params.get("title", ""), "problem": problem or "?"}
    if code == "unexpected":
        return _("Something went wrong while reading the feed. It will be tried again.")
    message = problem_message(code, params)
    if message is not None:
        return message
    return _("Something went wrong while reading the feed. It will be tried again.")
