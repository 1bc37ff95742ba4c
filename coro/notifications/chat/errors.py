"""Why a chat webhook did not take a message, said in the reader's language.

Announcements are sent by a worker, in whatever language is active there; the settings page
is read later by an admin in theirs. So ``ChatWebhook.last_error`` (and
``ChatAnnouncement.last_error``) never hold words: they hold a small JSON object,
``{"code": ..., "params": {...}}``, that ``chat_error_message`` puts into words when shown.

Codes: ``status`` (a 429 or 5xx answer, which may pass: ``status``, and ``retry_after`` in
seconds if the service said), ``refused`` (the service answered 4xx: the webhook was removed,
switched off or never worked; ``status`` and the service's own ``answer``), ``redirect`` (a
3xx answer, never followed), ``gave_up`` (retried and still failing: the last ``status`` or
``fetch`` code and the number of ``attempts``), ``no_hours`` (the organisation has no working
days: nothing is announced), ``fetch`` (no answer at all: ``fetch`` is the
fetcher's ``FetchError.code``), ``unreadable`` (the stored address cannot be decrypted) and
``no_service`` (the service is no longer known to Coro).
"""

import json
from typing import Any

from django.utils.translation import gettext as _

from coro.notifications.chat import service_label

# Keep the stored value inside ``last_error`` (300 characters).
ANSWER_CHARS = 120


def chat_error_dump(code: str, **params: Any) -> str:
    """What ``last_error`` stores for a failure ``code`` with its ``params``."""
    if isinstance(params.get("answer"), str):
        params["answer"] = params["answer"][:ANSWER_CHARS]
    return json.dumps({"code": code, "params": params}, ensure_ascii=False, sort_keys=True)


def fetch_message(code: str) -> str:
    """No answer from the chat service, by the fetcher's ``FetchError.code``."""
    if code == "address":
        return _(
            "The webhook's address leads to a private network or to this server, which Coro "
            "never contacts."
        )
    if code == "timeout":
        return _("The chat service took too long to answer.")
    if code == "tls":
        return _("The chat service's security certificate could not be checked.")
    if code in ("url", "scheme"):
        return _("The stored address is not a valid webhook address: remove it and add it again.")
    if code == "test":
        return _("Tests contact only this machine.")
    return _("The chat service could not be reached.")


def chat_error_message(value: str, *, service: str) -> str:
    """``value`` (from ``chat_error_dump``) as a sentence for the admin, in the active
    language; ``service`` is the webhook's service key. A plain-text value is shown as is."""
    if not value:
        return ""
    try:
        loaded = json.loads(value)
        code = str(loaded["code"])
        params: dict[str, Any] = dict(loaded.get("params") or {})
    except (ValueError, KeyError, TypeError):
        return value
    name = service_label(service)
    if code == "refused":
        message = _(
            "%(service)s refused the message (HTTP %(status)s): the webhook was probably "
            "removed or switched off in %(service)s. Make a new webhook for the channel there, "
            "then remove this one and add the new address."
        ) % {"service": name, "status": params.get("status", "?")}
        answer = str(params.get("answer") or "")
        if answer:
            message += " " + _("Its answer: “%(answer)s”.") % {"answer": answer}
        return message
    if code == "status":
        return _(
            "%(service)s answered with an error (HTTP %(status)s). It may pass: try again in "
            "a while."
        ) % {"service": name, "status": params.get("status", "?")}
    if code == "redirect":
        return _(
            "The webhook address answered with a redirect (HTTP %(status)s) instead of taking "
            "the message. Check that you copied the whole address."
        ) % {"status": params.get("status", "?")}
    if code == "gave_up":
        if params.get("fetch"):
            reason = fetch_message(str(params["fetch"]))
        else:
            reason = _("%(service)s answered with an error (HTTP %(status)s).") % {
                "service": name,
                "status": params.get("status", "?"),
            }
        return _("Coro tried %(attempts)s times and gave up. %(reason)s") % {
            "attempts": params.get("attempts", "?"),
            "reason": reason,
        }
    if code == "fetch":
        return fetch_message(str(params.get("fetch", "")))
    if code == "unreadable":
        return _(
            "Coro can't read the stored webhook address (the encryption key it was stored with "
            "is gone). Remove it and add it again."
        )
    if code == "no_hours":
        return _("The organisation has no working days, so nothing is announced.")
    if code == "no_service":
        return _("Coro no longer knows this chat service. Remove the webhook.")
    return _("The message could not be delivered.")
