"""'Download my data': everything Coro holds about a person, as JSON files in a ZIP.

Nothing secret goes in: no password hash, no session, no invitation token.
"""

import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coro.accounts.models import User
from coro.audit.selectors import audit_entries
from coro.content.models import Post
from coro.notifications import hours
from coro.notifications.selectors import notifications_of
from coro.orgs.models import Invitation, Membership
from coro.program.selectors import ledger_records, participation_of
from coro.sharing.models import Click, Share

# Fields of the account never exported: the password hash is a secret, not data about them.
USER_FIELDS_WITHHELD = {"password"}


def _profile(user: User) -> dict[str, Any]:
    data = {
        field.name: field.value_from_object(user)
        for field in User._meta.concrete_fields
        if field.name not in USER_FIELDS_WITHHELD
    }
    data["groups"] = list(user.groups.values_list("name", flat=True))
    data["permissions"] = sorted(user.get_user_permissions())
    return data


def _memberships(memberships: list[Membership]) -> list[dict[str, Any]]:
    return [
        {
            "organisation": m.organisation.name,
            "organisation_code": m.organisation.code,
            "member_code": m.code,
            "role": m.role,
            "team": m.team.name if m.team else None,
            "created_at": m.created_at,
            "recognition_opt_in": m.recognition_opt_in,
            "consent_ref": m.consent_ref,
        }
        for m in memberships
    ]


def _participation(memberships: list[Membership]) -> list[dict[str, Any]]:
    rows = []
    for m in memberships:
        p = participation_of(m)
        rows.append(
            {
                "organisation": m.organisation.name,
                "status": p.status if p else "never_joined",
                "terms_version": p.terms.version if p else None,
                "changed_at": p.changed_at if p else None,
            }
        )
    return rows


def _consent_ledger(memberships: list[Membership]) -> list[dict[str, Any]]:
    return [
        {
            "organisation": m.organisation.name,
            "seq": r.seq,
            "subject": r.subject,
            "action": r.action,
            "terms_version": r.terms_version,
            "terms_sha256": r.terms_sha256,
            "at": r.at,
            "channel": r.channel,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for m in memberships
        for r in ledger_records(m.organisation).filter(subject=m.consent_ref)
    ]


def _shares(user: User) -> list[dict[str, Any]]:
    shares = (
        Share.objects.filter(membership__user=user)
        .select_related("post__organisation")
        .annotate(click_count=Count("clicks"))
        .order_by("created_at", "pk")
    )
    return [
        {
            "organisation": s.post.organisation.name,
            "post": s.post.title,
            "post_link": s.post.link,
            "network": s.network,
            "code": s.code,
            "tracked_link": settings.BASE_URL + reverse("tracked_redirect", args=[s.code]),
            "created_at": s.created_at,
            "clicks": s.click_count,
        }
        for s in shares
    ]


def _clicks(user: User) -> list[dict[str, Any]]:
    rows = (
        Click.objects.filter(share__membership__user=user)
        .annotate(day=TruncDate("at"))
        .values("share__code", "day")
        .annotate(clicks=Count("id"))
        .order_by("share__code", "day")
    )
    return [{"share": r["share__code"], "day": r["day"], "clicks": r["clicks"]} for r in rows]


def _working_hours(user: User) -> dict[str, Any]:
    return {
        "work_days": sorted(hours.working_days(user)),
        "work_start": user.work_start,
        "work_end": user.work_end,
        "time_zone": user.time_zone,
        "next_working_window_start": hours.next_working_window_start(user, timezone.now()),
    }


def _notifications(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organisation": n.organisation.name if n.organisation else None,
            "kind": n.kind,
            "subject": n.subject,
            "body": n.body,
            "link": n.link,
            "created_at": n.created_at,
            "deliver_after": n.deliver_after,
            "delivered_at": n.delivered_at,
            "channel": n.channel,
        }
        for n in notifications_of(user)
    ]


def _audit(memberships: list[Membership]) -> list[dict[str, Any]]:
    return [
        {
            "organisation": m.organisation.name,
            "at": e.at,
            "action": e.action,
            "actor_ref": e.actor_ref,
            "target_ref": e.target_ref,
            "before": e.before,
            "after": e.after,
            "reason": e.reason,
        }
        for m in memberships
        for e in audit_entries(m.organisation).filter(Q(actor_ref=m.code) | Q(target_ref=m.code))
    ]


def _posts(user: User) -> list[dict[str, Any]]:
    posts = (
        Post.objects.filter(author__user=user).select_related("organisation").order_by("created_at")
    )
    return [
        {
            "organisation": p.organisation.name,
            "code": p.code,
            "title": p.title,
            "body": p.body,
            "link": p.link,
            "status": p.status,
            "created_at": p.created_at,
            "published_at": p.published_at,
        }
        for p in posts
    ]


def _invitations(user: User) -> dict[str, list[dict[str, Any]]]:
    def row(i: Invitation) -> dict[str, Any]:
        return {
            "organisation": i.organisation.name,
            "email": i.email,
            "role": i.role,
            "created_at": i.created_at,
            "expires_at": i.expires_at,
            "accepted_at": i.accepted_at,
        }

    invitations = Invitation.objects.select_related("organisation").order_by("created_at")
    return {
        "received": [row(i) for i in invitations.filter(email__iexact=user.email)],
        "sent": [row(i) for i in invitations.filter(invited_by=user)],
    }


def personal_data(user: User) -> dict[str, Any]:
    """File name → content, for every file of the download."""
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation", "team")
        .order_by("organisation__name")
    )
    return {
        "profile.json": _profile(user),
        "memberships.json": _memberships(memberships),
        "participation.json": _participation(memberships),
        "consent_ledger.json": _consent_ledger(memberships),
        "shares.json": _shares(user),
        "clicks.json": _clicks(user),
        "working_hours.json": _working_hours(user),
        "notifications.json": _notifications(user),
        "audit.json": _audit(memberships),
        "posts.json": _posts(user),
        "invitations.json": _invitations(user),
    }


def personal_data_zip(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", render_to_string("privacy/data_readme.txt", {"user": user}))
        for name, content in personal_data(user).items():
            text = json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            archive.writestr(name, text + "\n")
    return buffer.getvalue()
