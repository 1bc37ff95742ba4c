from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold
from coro.orgs.models import Membership, Organisation
from coro.orgs.services import organisation_lock
from coro.program import hooks, ledger, receipts
from coro.program.models import (
    ConsentRecord,
    InvitationDismissal,
    Participation,
    Terms,
    terms_fingerprint,
)
from coro.program.selectors import terms_current


class NoTermsError(Exception):
    """The organisation has no published terms to accept."""


class TermsNotCurrentError(Exception):
    """Only the current version of the terms can be accepted: a newer one was published."""


class TermsUnchangedError(Exception):
    """Publishing the text of the current version again would ask everyone for nothing."""


def terms_publish(
    *,
    organisation: Organisation,
    actor: Membership,
    texts: dict[str, dict[str, str]],
) -> Terms:
    """Publish the next version, ``{language: {"offer": ..., "commitment": ...}}``.

    Enrolled people stay under the version they accepted and are asked (banner, one
    notification each) to accept this one or leave.
    """
    with transaction.atomic():
        organisation_lock(organisation)
        current = terms_current(organisation)
        terms = Terms(
            organisation=organisation,
            version=current.version + 1 if current else 1,
            texts={
                language: {part: text.strip() for part, text in parts.items()}
                for language, parts in texts.items()
            },
        )
        terms.full_clean(exclude=["sha256"])
        terms.sha256 = terms_fingerprint(terms.texts)
        if current is not None and current.texts == terms.texts:
            raise TermsUnchangedError
        terms.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditEntry.Action.TERMS_PUBLISHED,
            before={"version": current.version, "sha256": current.sha256} if current else {},
            after={"version": terms.version, "sha256": terms.sha256},
        )
        _terms_updated_notify(terms=terms, actor=actor)
    return terms


def _terms_updated_notify(*, terms: Terms, actor: Membership) -> None:
    """One notification for each enrolled person but the publisher, in their language and
    inside their working hours."""
    organisation = terms.organisation
    enrolled = (
        Participation.objects.filter(
            membership__organisation=organisation, status=Participation.Status.ENROLLED
        )
        .exclude(membership=actor)
        .select_related("membership__user")
    )
    link = reverse("program:terms", kwargs={"org_code": organisation.code})
    for participation in enrolled:
        user = participation.membership.user
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("New terms for the advocacy program of %(organisation)s") % {
                "organisation": organisation.name
            }
            body = _(
                "%(organisation)s has published version %(version)s of the program's terms. "
                "You stay in the program under the version you accepted, and nothing new is "
                "asked of you until you read the new one and accept it, or leave the program."
            ) % {"organisation": organisation.name, "version": terms.version}
        notification_hold(
            user=user,
            organisation=organisation,
            kind=Notification.Kind.TERMS_UPDATED,
            subject=subject,
            body=body,
            link=link,
        )


def ledger_append(
    *,
    membership: Membership,
    action: ConsentRecord.Action,
    terms: Terms,
    channel: ConsentRecord.Channel,
) -> ConsentRecord:
    """Append one record to the organisation's consent ledger, chained to the last one and
    keyed with the current ledger key (format 2, docs/program.md)."""
    organisation = membership.organisation
    keys = ledger.configured_keys()
    key_id, _secret = ledger.signing_key(keys)
    with transaction.atomic():
        organisation_lock(organisation)
        last = ConsentRecord.objects.filter(organisation=organisation).order_by("-seq").first()
        record = ConsentRecord(
            organisation=organisation,
            seq=last.seq + 1 if last else 1,
            subject=membership.consent_ref,
            action=action,
            terms_version=terms.version,
            terms_sha256=terms.sha256,
            at=timezone.now(),
            channel=channel,
            prev_hash=last.hash if last else ledger.GENESIS_HASH,
            format=ConsentRecord.Format.HMAC,
            key_id=key_id,
        )
        values = ledger.values_of(record, organisation_code=organisation.code)
        record.hash = ledger.hash_of(values, keys=keys)
        record.full_clean()
        record.save()
    return record


def _consent_receipt_send(*, membership: Membership, record: ConsentRecord) -> None:
    """Hold the person's receipt of ``record`` for their e-mail, in their language and inside
    their working hours (docs/program.md, "Receipts")."""
    organisation = membership.organisation
    user = membership.user
    subject_max = Notification._meta.get_field("subject").max_length or 200
    names = {"organisation": organisation.name, "version": record.terms_version}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if record.action == ConsentRecord.Action.JOINED:
            subject = _("You joined the advocacy program of %(organisation)s: your receipt")
        elif record.action == ConsentRecord.Action.ACCEPTED:
            subject = _(
                "You accepted version %(version)s of the terms of %(organisation)s: your receipt"
            )
        else:
            subject = _("You left the advocacy program of %(organisation)s: your receipt")
        body = render_to_string(
            "program/email/consent_receipt.txt",
            {
                "organisation": organisation,
                "record": record,
                "receipt": receipts.receipt_text(
                    receipts.receipt_of(record, organisation_code=organisation.code)
                ),
            },
        )
    notification_hold(
        user=user,
        organisation=organisation,
        kind=Notification.Kind.CONSENT_RECEIPT,
        subject=Truncator(subject % names).chars(subject_max),
        body=body,
        link=reverse("program:terms", kwargs={"org_code": organisation.code}),
    )


def program_join(
    *,
    membership: Membership,
    terms: Terms,
    channel: ConsentRecord.Channel = ConsentRecord.Channel.WEB,
) -> Participation:
    """Accept the current terms explicitly: join, or move to a new version.

    The ledger records "joined" (first time, or after leaving) or "accepted" (already
    enrolled under an older version), and the person gets the receipt of that record by
    e-mail. Accepting the version one is already under changes nothing and records nothing.
    """
    if terms.organisation_id != membership.organisation_id:
        raise NoTermsError
    with transaction.atomic():
        organisation_lock(membership.organisation)
        current = terms_current(membership.organisation)
        if current is None or current.pk != terms.pk:
            raise TermsNotCurrentError
        participation = (
            Participation.objects.select_for_update().filter(membership=membership).first()
        )
        if participation is None:
            participation = Participation(membership=membership)
            action = ConsentRecord.Action.JOINED
        elif not participation.is_enrolled:
            action = ConsentRecord.Action.JOINED
        elif participation.terms_id != terms.pk:
            action = ConsentRecord.Action.ACCEPTED
        else:
            return participation
        participation.status = Participation.Status.ENROLLED
        participation.terms = terms
        participation.changed_at = timezone.now()
        participation.full_clean()
        participation.save()
        record = ledger_append(membership=membership, action=action, terms=terms, channel=channel)
        _consent_receipt_send(membership=membership, record=record)
    return participation


def program_leave(
    *, membership: Membership, channel: ConsentRecord.Channel = ConsentRecord.Channel.WEB
) -> bool:
    """Leave at once; False if the person was not enrolled (then nothing happens).

    The ledger records "left" with the version the person had accepted (the person gets its
    receipt by e-mail), and ``program_leave_effects`` stops everything that acted on their
    behalf, in the same transaction.
    """
    with transaction.atomic():
        organisation_lock(membership.organisation)
        participation = (
            Participation.objects.select_for_update()
            .filter(membership=membership, status=Participation.Status.ENROLLED)
            .select_related("terms")
            .first()
        )
        if participation is None:
            return False
        participation.status = Participation.Status.LEFT
        participation.changed_at = timezone.now()
        participation.save(update_fields=["status", "changed_at"])
        record = ledger_append(
            membership=membership,
            action=ConsentRecord.Action.LEFT,
            terms=participation.terms,
            channel=channel,
        )
        _consent_receipt_send(membership=membership, record=record)
        program_leave_effects(membership=membership)
    return True


def program_leave_effects(*, membership: Membership) -> None:
    """Everything that stops when a person leaves the program.

    Runs inside ``program_leave``'s transaction, so leaving happens entirely or not at all.
    The apps above this one register what they stop in ``hooks.on_program_leave`` (listed in
    ``coro/site/wiring.py``): sharing cancels the person's scheduled posts and detaches their
    tracked links, which keep working and counting, anonymously; connections revokes and
    deletes their connected accounts.
    """
    hooks.on_program_leave.run(membership)


def invitation_dismiss(*, membership: Membership) -> InvitationDismissal | None:
    """Stop inviting the person to the program until a new version of the terms is
    published: records the current version (again, if they dismissed an older one). Nothing
    happens, and None is returned, when the organisation has no published terms."""
    current = terms_current(membership.organisation)
    if current is None:
        return None
    with transaction.atomic():
        # Lock the person's membership (on PostgreSQL; SQLite serialises writers), so two
        # clicks at once make one row instead of a clash on the one-per-person rule.
        Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk").get()
        dismissal = InvitationDismissal.objects.filter(membership=membership).first()
        if dismissal is None:
            dismissal = InvitationDismissal(membership=membership)
        dismissal.terms_version = current.version
        dismissal.dismissed_at = timezone.now()
        dismissal.full_clean()
        dismissal.save()
    return dismissal


def _organisation_change(
    *,
    organisation: Organisation,
    actor: Membership | None,
    action: AuditEntry.Action,
    changes: dict[str, Any],
    reason: str = "",
) -> Organisation:
    """Apply ``changes`` to the organisation and record them, before and after.

    Nothing is saved or recorded when nothing changes.
    """
    with transaction.atomic():
        stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {field: getattr(stored, field) for field in changes}
        if before == changes:
            return organisation
        for field, value in changes.items():
            setattr(organisation, field, value)
        organisation.full_clean()
        organisation.save(update_fields=list(changes))
        audit_record(
            organisation=organisation,
            actor=actor,
            action=action,
            before=before,
            after=changes,
            reason=reason,
        )
    return organisation


def disclosure_update(
    *,
    organisation: Organisation,
    actor: Membership | None,
    disclosure: dict[str, str],
) -> Organisation:
    """Reword the disclosure, ``{language: wording}``. A language left out (or blank) gets
    the default wording."""
    wordings = {code: text.strip() for code, text in disclosure.items() if text.strip()}
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.DISCLOSURE_CHANGED,
        changes={"disclosure": wordings},
    )


def disclosure_disable(
    *, organisation: Organisation, actor: Membership | None, reason: str
) -> Organisation:
    """Switch the disclosure off. Only with a reason, which everyone can read."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the disclosure is switched off.")})
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.DISCLOSURE_DISABLED,
        changes={"disclosure_enabled": False, "disclosure_off_reason": reason},
        reason=reason,
    )


def disclosure_enable(*, organisation: Organisation, actor: Membership | None) -> Organisation:
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.DISCLOSURE_ENABLED,
        changes={"disclosure_enabled": True, "disclosure_off_reason": ""},
    )


def privacy_update(
    *, organisation: Organisation, actor: Membership | None, min_group_size: int
) -> Organisation:
    """Change the smallest group whose numbers are shown (never below the floor)."""
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.PRIVACY_CHANGED,
        changes={"min_group_size": min_group_size},
    )
