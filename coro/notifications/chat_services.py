"""Team chat announcements (Slack, Microsoft Teams incoming webhooks).

Admins connect a chat channel per team, or one for the whole organisation
(``chat_webhook_add``); its address is a secret, stored encrypted. When a post is published,
the app that publishes it calls ``chat_announce``: one ``ChatAnnouncement`` per matching
channel, at most one per channel and post, held until the organisation's working hours
(charter rule 9: a channel is read by people). The ``chat_announcement_deliver`` task posts
it through the SSRF-safe ``coro.core.fetch.send.post_json``:

- 2xx: sent, once (the announcement is claimed with a conditional update first);
- 429, 5xx or no answer (the network, a deadline): tried again later, with a growing wait,
  ``MAX_ATTEMPTS`` times in all, then failed;
- any other 4xx (and 3xx, never followed): the webhook was removed or refuses Coro; failed at
  once, and the webhook's ``last_error`` says so on the settings page.

A task that runs early, or whose organisation changed its hours, holds the announcement
again; ``chat_announcements_release_due`` (a periodic job) sends what came due without its
task, and what a worker that died mid-post left claimed (``STALE_CLAIM``). A post taken back
before its announcement went out withdraws it (``withdraw.notifications_withdraw``). Errors
are stored as codes and put into words when shown (``chat.errors``).
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.core import crypto
from coro.core.fetch.results import FetchError
from coro.core.fetch.send import Posted, post_json
from coro.notifications import chat, hours
from coro.notifications.chat.errors import chat_error_dump, chat_error_message
from coro.notifications.chat_tasks import chat_announcement_deliver
from coro.notifications.models import ChatAnnouncement, ChatWebhook
from coro.orgs.models import Membership, Organisation, Team

logger = logging.getLogger(__name__)

Status = ChatAnnouncement.Status

# Tries in all before an announcement fails; the wait after each failed try.
MAX_ATTEMPTS = 6
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)
# A service's ``Retry-After`` is honoured up to this.
LONGEST_WAIT = timedelta(hours=6)
# A claim (``SENDING``) older than this belongs to a worker that died mid-post: claimed again.
# Far longer than a post may take (``post_json``'s deadline: 10 seconds).
STALE_CLAIM = timedelta(minutes=5)
# Failures that may pass: tried again.
TRANSIENT_FETCH_CODES = frozenset({"network", "timeout", "tls"})


# --- Reads ---------------------------------------------------------------------------------


def chat_webhooks_of(organisation: Organisation) -> QuerySet[ChatWebhook]:
    """The organisation's chat channels: the whole organisation's first, then by team."""
    return (
        ChatWebhook.objects.filter(organisation=organisation)
        .select_related("team")
        .order_by(F("team__name").asc(nulls_first=True), "created_at", "pk")
    )


def chat_webhook_url(webhook: ChatWebhook) -> str | None:
    """The webhook's address, or None if it cannot be decrypted."""
    try:
        return crypto.decrypt(webhook.url_encrypted)
    except crypto.DecryptionError:
        return None


def chat_webhook_masked(webhook: ChatWebhook) -> str:
    """The address without its secret, for the settings page."""
    url = chat_webhook_url(webhook)
    return chat.masked(url) if url is not None else "…"


def chat_webhook_error(webhook: ChatWebhook) -> str:
    """Why the webhook last failed, in the active language ("" if it did not)."""
    return chat_error_message(webhook.last_error, service=webhook.service)


# --- Connecting and removing channels ------------------------------------------------------


def chat_webhook_add(
    *,
    organisation: Organisation,
    actor: Membership,
    service: str,
    url: str,
    team: Team | None,
) -> ChatWebhook:
    """Connect a chat channel; ``team`` None: the whole organisation. Raises
    ``ValidationError`` (by field) for an unknown service, a team of another organisation, an
    address that is not the service's webhook, or a channel already connected."""
    chosen = chat.service_for(service)
    if chosen is None:
        raise ValidationError({"service": _("Choose Slack or Microsoft Teams.")}, code="service")
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": _("Choose one of your organisation's teams.")})
    url = url.strip()
    try:
        chosen.validate_url(url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from None
    if any(chat_webhook_url(w) == url for w in chat_webhooks_of(organisation)):
        raise ValidationError({"url": _("This webhook is already connected.")}, code="duplicate")
    webhook = ChatWebhook(
        organisation=organisation,
        team=team,
        service=chosen.key,
        url_encrypted=crypto.encrypt(url),
    )
    with transaction.atomic():
        webhook.full_clean()
        webhook.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditEntry.Action.CHAT_WEBHOOKS_CHANGED,
            after=_audited(webhook),
        )
    return webhook


def _audited(webhook: ChatWebhook) -> dict[str, str]:
    """What the audit trail says of a channel: its service and audience, and its address
    masked (the address is a secret)."""
    audience = webhook.team.name if webhook.team is not None else "*"
    return {
        "channel": f"{webhook.service} · {audience}",
        "address": chat_webhook_masked(webhook),
    }


def chat_webhook_remove(*, webhook: ChatWebhook, actor: Membership) -> None:
    """Disconnect the channel; what was waiting to be announced in it is dropped with it.
    Audited."""
    with transaction.atomic():
        audit_record(
            organisation=webhook.organisation,
            actor=actor,
            action=AuditEntry.Action.CHAT_WEBHOOKS_CHANGED,
            before=_audited(webhook),
        )
        webhook.delete()


# --- The test message ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChatTestOutcome:
    ok: bool
    message: str  # what to tell the admin, in the active language


def chat_webhook_test(*, webhook: ChatWebhook) -> ChatTestOutcome:
    """Post a test message now (an admin asked for it), in the active language; the result
    is also recorded on the webhook (``last_ok_at`` or ``last_error``)."""
    organisation = webhook.organisation
    if webhook.team is None:
        audience = _("everyone in %(organisation)s") % {"organisation": organisation.name}
    else:
        audience = _("the team %(team)s") % {"team": webhook.team.name}
    text = _(
        "This is a test message from Coro. New posts for %(audience)s will be announced in "
        "this channel, with a link to share them, during the organisation's working hours."
    ) % {"audience": audience}
    link = settings.BASE_URL + reverse("content:feed", kwargs={"org_code": organisation.code})
    error = _post(webhook, text=text, link=link, link_label=_("Open Coro"))
    if error is None:
        name = chat.service_label(webhook.service)
        return ChatTestOutcome(True, _("%(service)s took the test message.") % {"service": name})
    stored, _transient = error
    _webhook_failed(webhook, stored)
    return ChatTestOutcome(False, chat_error_message(stored, service=webhook.service))


# --- Announcing ----------------------------------------------------------------------------


def chat_announce(
    *, organisation: Organisation, team_ids: list[int], about: str, text: str, link: str
) -> int:
    """Announce a new post in the chat channels of ``team_ids`` (empty: the post is for
    everyone, so every channel of the organisation) and in the organisation-wide ones, held
    until the organisation's working hours; one announcement per channel and ``about``
    however often it is called. Returns how many channels it was queued for."""
    webhooks = ChatWebhook.objects.filter(organisation=organisation)
    if team_ids:
        webhooks = webhooks.filter(Q(team=None) | Q(team_id__in=team_ids))
    now = timezone.now()
    window = hours.next_working_window_start(organisation, now)
    if window is None:
        logger.warning(
            "Organisation %s has no working days: %s is not announced in team chat.",
            organisation.code,
            about,
        )
        return 0
    if link.startswith("/"):
        link = settings.BASE_URL + link
    queued = 0
    for webhook in webhooks:
        announcement, created = ChatAnnouncement.objects.get_or_create(
            webhook=webhook,
            about=about,
            defaults={"text": text, "link": link, "deliver_after": window, "created_at": now},
        )
        if created:
            queued += 1
            _schedule(announcement.pk, window)
    return queued


def _schedule(announcement_id: int, deliver_after: datetime) -> None:
    transaction.on_commit(
        lambda: chat_announcement_enqueue(
            announcement_id=announcement_id, deliver_after=deliver_after
        )
    )


def chat_announcement_enqueue(*, announcement_id: int, deliver_after: datetime) -> bool:
    """Enqueue the send now if due, else for ``deliver_after``. A task backend that cannot
    run tasks later leaves it to ``chat_announcements_release_due``."""
    if deliver_after <= timezone.now():
        chat_announcement_deliver.enqueue(announcement_id)
        return True
    if not chat_announcement_deliver.get_backend().supports_defer:
        logger.info(
            "Chat announcement %s waits until %s; the periodic job sends it then.",
            announcement_id,
            deliver_after.isoformat(),
        )
        return False
    chat_announcement_deliver.using(run_after=deliver_after).enqueue(announcement_id)
    return True


def chat_announcements_release_due(*, now: datetime | None = None) -> int:
    """Enqueue the send of every waiting announcement that is due, and of every claim left
    behind by a worker that died mid-post (``STALE_CLAIM``); how many."""
    ids = list(
        ChatAnnouncement.objects.filter(
            status__in=[Status.PENDING, Status.SENDING], deliver_after__lte=now or timezone.now()
        ).values_list("pk", flat=True)
    )
    for announcement_id in ids:
        chat_announcement_deliver.enqueue(announcement_id)
    return len(ids)


# --- Sending -------------------------------------------------------------------------------


def chat_announcement_send(*, announcement_id: int) -> bool:
    """Post the announcement if it is waiting, due, and the organisation is working now;
    whether it was sent by this call. Safe to run twice: it is claimed first.

    The claim (``SENDING``) moves ``deliver_after`` to when the claim goes stale (now +
    ``STALE_CLAIM``): while an announcement is being sent, ``deliver_after`` is the claim's
    expiry, and the value is the claim's token (only the run that holds it writes the
    outcome). A worker that dies mid-post leaves it ``SENDING``; once that time has passed it
    is claimed again like a waiting one (it may then reach the channel twice, never not at
    all), as one more attempt: past ``MAX_ATTEMPTS`` it fails instead."""
    now = timezone.now()
    due_or_stale = Q(status=Status.PENDING) | Q(status=Status.SENDING, deliver_after__lte=now)
    announcement = (
        ChatAnnouncement.objects.select_related("webhook__organisation", "webhook__team")
        .filter(due_or_stale, pk=announcement_id)
        .first()
    )
    if announcement is None:
        return False
    webhook = announcement.webhook
    organisation = webhook.organisation
    # Unchanged since it was read: what this run decides applies only then.
    waiting = ChatAnnouncement.objects.filter(
        pk=announcement_id,
        status=announcement.status,
        deliver_after=announcement.deliver_after,
    )
    if announcement.deliver_after > now:
        _schedule(announcement_id, announcement.deliver_after)  # a task that ran early
        return False
    stale = announcement.status == Status.SENDING
    if stale:
        logger.warning(
            "Chat announcement %s was left sending by a worker that stopped: claimed again.",
            announcement_id,
        )
        if announcement.attempts >= MAX_ATTEMPTS:
            lost = _gave_up(chat_error_dump("fetch", fetch="timeout"), announcement.attempts)
            if waiting.update(status=Status.FAILED, last_error=lost):
                _webhook_failed(webhook, lost)
            return False
    window = hours.next_working_window_start(organisation, now)
    if window is None:
        # The organisation has no working days any more: nothing is announced.
        waiting.update(status=Status.FAILED, last_error=chat_error_dump("no_hours"))
        return False
    if window > now:
        # The organisation changed its hours since: wait for the new ones.
        if waiting.update(status=Status.PENDING, deliver_after=window):
            _schedule(announcement_id, window)
        return False
    claim = now + STALE_CLAIM
    if not waiting.update(status=Status.SENDING, deliver_after=claim, attempts=F("attempts") + 1):
        return False  # another worker has it
    sending = ChatAnnouncement.objects.filter(
        pk=announcement_id, status=Status.SENDING, deliver_after=claim
    )
    attempts = announcement.attempts + 1
    try:
        with translation.override(organisation.language or str(settings.LANGUAGE_CODE)):
            label = _("Open in Coro to share")
        error = _post(webhook, text=announcement.text, link=announcement.link, link_label=label)
    except Exception:
        # A bug or a hiccup of our own: put it back for a later try, and let the task fail.
        sending.update(status=Status.PENDING, deliver_after=now + BACKOFF[0])
        raise
    if error is None:
        sending.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
        return True
    stored, transient = error
    if transient and attempts < MAX_ATTEMPTS:
        wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
        retry_after = _retry_after_of(stored)
        if retry_after is not None:
            wait = max(wait, min(retry_after, LONGEST_WAIT))
        later = hours.next_working_window_start(organisation, now + wait) or now + wait
        if sending.update(status=Status.PENDING, deliver_after=later, last_error=stored):
            _schedule(announcement_id, later)
        return False
    if transient:
        stored = _gave_up(stored, attempts)
    if sending.update(status=Status.FAILED, last_error=stored):
        _webhook_failed(webhook, stored)
    return False


def _post(
    webhook: ChatWebhook, *, text: str, link: str, link_label: str
) -> tuple[str, bool] | None:
    """Post through the webhook: None if it took the message, else (the error as stored,
    whether it may pass). A success is recorded on the webhook."""
    service = chat.service_for(webhook.service)
    if service is None:
        return chat_error_dump("no_service"), False
    url = chat_webhook_url(webhook)
    if url is None:
        return chat_error_dump("unreadable"), False
    payload = service.payload(text=text, link=link, link_label=link_label)
    try:
        answer = post_json(url, payload)
    except FetchError as exc:
        return chat_error_dump("fetch", fetch=exc.code), exc.code in TRANSIENT_FETCH_CODES
    if 200 <= answer.status < 300:
        ChatWebhook.objects.filter(pk=webhook.pk).update(
            last_ok_at=timezone.now(), last_error="", last_error_at=None
        )
        return None
    return _answer_error(answer)


def _answer_error(answer: Posted) -> tuple[str, bool]:
    status = answer.status
    if status == 429 or status >= 500 or status < 200:
        params: dict[str, int] = {"status": status}
        if answer.retry_after is not None:
            params["retry_after"] = answer.retry_after
        return chat_error_dump("status", **params), True
    if 300 <= status < 400:
        return chat_error_dump("redirect", status=status), False
    return chat_error_dump("refused", status=status, answer=answer.text), False


def _retry_after_of(stored: str) -> timedelta | None:
    seconds = json.loads(stored).get("params", {}).get("retry_after")
    return timedelta(seconds=int(seconds)) if isinstance(seconds, int) else None


def _gave_up(stored: str, attempts: int) -> str:
    params = json.loads(stored).get("params", {})
    if "fetch" in params:
        return chat_error_dump("gave_up", fetch=params["fetch"], attempts=attempts)
    return chat_error_dump("gave_up", status=params.get("status"), attempts=attempts)


def _webhook_failed(webhook: ChatWebhook, stored: str) -> None:
    """Say on the settings page why the webhook failed (what may pass is not said)."""
    ChatWebhook.objects.filter(pk=webhook.pk).update(
        last_error=stored, last_error_at=timezone.now()
    )
