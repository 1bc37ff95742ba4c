"""The e-mails Coro sends a person: one message right away, or a digest of several.

Each is HTML (a plain table layout with inline styles: no external images, fonts or
trackers) with a plain-text part, in the person's language (theirs, else their
organisation's, else the site's), with absolute links (``settings.BASE_URL``). Each carries
one-click unsubscribe headers (RFC 8058) for the kinds of message it is about, and a footer
saying why it came and how to change that.
"""

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import ngettext

from coro.accounts.models import User
from coro.notifications import hours
from coro.notifications.models import Digest, Notification, Rhythm
from coro.notifications.unsubscribe import unsubscribe_url
from coro.orgs.models import Organisation

BRAND = "Coro"
# Words of a message's text shown for each item of a digest.
DIGEST_EXCERPT_WORDS = 40


def person_language(user: User, organisation: Organisation | None) -> str:
    """The language Coro writes to a person in (e-mails, notifications, what a task records
    for them): theirs, else their organisation's, else the site's."""
    if user.language:
        return user.language
    if organisation is not None and organisation.language:
        return organisation.language
    return str(settings.LANGUAGE_CODE)


def absolute(link: str) -> str:
    """A link as it must appear in an e-mail: paths are made absolute, other links kept."""
    return settings.BASE_URL + link if link.startswith("/") else link


def one_line(text: str) -> str:
    """No line breaks in a mail header."""
    return " ".join(text.split())


def message_id(kind: str, code: str) -> str:
    """A stable Message-ID for what an e-mail is about ("notification", "digest"...): sent
    again after an ambiguous failure, mail systems can tell it is the same message."""
    domain = urlsplit(settings.BASE_URL).hostname or "coro.invalid"
    return f"<{kind}.{code}@{domain}>"


@dataclass(frozen=True)
class DigestItem:
    subject: str
    excerpt: str
    link: str
    notification: Notification


@dataclass(frozen=True)
class DigestGroup:
    organisation: str
    items: list[DigestItem]


def _message(
    *,
    user: User,
    subject: str,
    template: str,
    context: dict[str, Any],
    kinds: list[str],
    message_id: str,
) -> EmailMultiAlternatives:
    """Render ``template`` (.txt and .html) with the footer's links, and address it."""
    stop_url = unsubscribe_url(user=user, kinds=kinds)
    context = {
        **context,
        "subject": subject,
        "language": translation.get_language(),
        "kind_labels": [str(Notification.Kind(kind).label) for kind in kinds],
        "unsubscribe_url": stop_url,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "hours_link": absolute(reverse("me:working_hours")),
    }
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Sent by Coro, not by a person: out-of-office replies need not answer it.
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of one message, sent right away (inside the person's working hours)."""
    user = notification.user
    organisation = notification.organisation
    with translation.override(person_language(user, organisation)):
        return _message(
            user=user,
            subject=one_line(notification.subject),
            template="notifications/email/notification",
            context={
                "notification": notification,
                "brand": organisation.name if organisation else BRAND,
                "link": absolute(notification.link) if notification.link else "",
                "kind_label": Notification.Kind(notification.kind).label,
            },
            kinds=[notification.kind],
            message_id=message_id("notification", notification.code),
        )


def held_message(user: User, items: list[Notification]) -> EmailMultiAlternatives:
    """One e-mail for every message sent right away that waited for the person's working
    window: a single one as itself, several listed together ("while you were away")."""
    if len(items) == 1:
        return notification_message(items[0])
    organisations = {n.organisation.pk: n.organisation for n in items if n.organisation}
    first = next(iter(organisations.values()), None)
    codes = ",".join(sorted(n.code for n in items))
    with translation.override(person_language(user, first)):
        count = len(items)
        brand = first.name if first is not None and len(organisations) == 1 else BRAND
        subject = ngettext(
            "While you were away: %(count)d new message",
            "While you were away: %(count)d new messages",
            count,
        ) % {"count": count}
        return _message(
            user=user,
            subject=f"{brand} · {subject}",
            template="notifications/email/held",
            context={
                "brand": brand,
                "groups": digest_groups(items),
                "zone": hours.user_zone(user),
            },
            kinds=sorted({n.kind for n in items}),
            message_id=message_id("notifications", hashlib.sha256(codes.encode()).hexdigest()[:24]),
        )


def digest_groups(items: list[Notification]) -> list[DigestGroup]:
    """The digest's messages by organisation (in name order; messages of no organisation
    last), oldest first within each."""
    groups: dict[tuple[bool, str], list[DigestItem]] = {}
    for notification in sorted(items, key=lambda n: n.created_at):
        name = notification.organisation.name if notification.organisation else ""
        groups.setdefault((not name, name), []).append(
            DigestItem(
                subject=one_line(notification.subject),
                excerpt=Truncator(notification.body).words(DIGEST_EXCERPT_WORDS),
                link=absolute(notification.link) if notification.link else "",
                notification=notification,
            )
        )
    return [
        DigestGroup(organisation=name or BRAND, items=group)
        for (_none, name), group in sorted(groups.items())
    ]


def digest_message(digest: Digest, items: list[Notification]) -> EmailMultiAlternatives:
    """The digest e-mail listing ``items``; its unsubscribe link stops every kind it lists."""
    user = digest.user
    organisations = {n.organisation.pk: n.organisation for n in items if n.organisation}
    first = next(iter(organisations.values()), None)
    with translation.override(person_language(user, first)):
        count = len(items)
        if digest.rhythm == Rhythm.WEEKLY:
            subject = ngettext(
                "Your weekly digest: %(count)d new message",
                "Your weekly digest: %(count)d new messages",
                count,
            ) % {"count": count}
        else:
            subject = ngettext(
                "Your daily digest: %(count)d new message",
                "Your daily digest: %(count)d new messages",
                count,
            ) % {"count": count}
        brand = first.name if first is not None and len(organisations) == 1 else BRAND
        return _message(
            user=user,
            subject=f"{brand} · {subject}",
            template="notifications/email/digest",
            context={
                "digest": digest,
                "brand": brand,
                "groups": digest_groups(items),
                "zone": hours.user_zone(user),
                "weekly": digest.rhythm == Rhythm.WEEKLY,
                "rhythm_label": Rhythm(digest.rhythm).label,
            },
            kinds=sorted({n.kind for n in items}),
            message_id=message_id("digest", digest.code),
        )
