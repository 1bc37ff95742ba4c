from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs.models import Membership, Organisation
from coro.program import defaults, ledger
from coro.program.models import ConsentRecord, Participation, Terms
from coro.program.selectors import terms_current


class NoTermsError(Exception):
    """The organisation has no published terms to accept."""


class TermsNotCurrentError(Exception):
    """Only the current version of the terms can be accepted: a newer one was published."""


class TermsUnchangedError(Exception):
    """Publishing the text of the current version again would ask everyone for nothing."""


def _organisation_lock(organisation: Organisation) -> None:
    """Serialise ledger appends and publications of one organisation (inside a transaction).

    On PostgreSQL this locks the organisation's row; SQLite already serialises writers
    (transactions are IMMEDIATE).
    """
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").get()


def terms_create_default(*, organisation: Organisation) -> Terms:
    terms = Terms(
        organisation=organisation,
        version=1,
        offer_es=defaults.OFFER_ES,
        offer_en=defaults.OFFER_EN,
        commitment_es=defaults.COMMITMENT_ES,
        commitment_en=defaults.COMMITMENT_EN,
    )
    terms.full_clean()
    terms.save()
    return terms


def terms_publish(
    *,
    organisation: Organisation,
    actor: Membership,
    offer_es: str,
    offer_en: str,
    commitment_es: str,
    commitment_en: str,
) -> Terms:
    """Publish the next version. Enrolled people stay under the version they accepted and
    are asked (banner, one notification each) to accept this one or leave."""
    with transaction.atomic():
        _organisation_lock(organisation)
        current = terms_current(organisation)
        terms = Terms(
            organisation=organisation,
            version=current.version + 1 if current else 1,
            offer_es=offer_es.strip(),
            offer_en=offer_en.strip(),
            commitment_es=commitment_es.strip(),
            commitment_en=commitment_en.strip(),
        )
        if current is not None and terms.text_sha256 == current.text_sha256:
            raise TermsUnchangedError
        terms.full_clean()
        terms.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditEntry.Action.TERMS_PUBLISHED,
            before={"version": current.version, "sha256": current.text_sha256} if current else {},
            after={"version": terms.version, "sha256": terms.text_sha256},
        )
        _terms_updated_notify(terms=terms, actor=actor)
    return terms


def _terms_updated_notify(*, terms: Terms, actor: Membership) -> None:
    """One notification for each enrolled person but the publisher, in their language and
    inside their working hours."""
    from coro.notifications.models import Notification
    from coro.notifications.services import notification_hold

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
    """Append one record to the organisation's consent ledger, chained to the last one."""
    organisation = membership.organisation
    with transaction.atomic():
        _organisation_lock(organisation)
        last = ConsentRecord.objects.filter(organisation=organisation).order_by("-seq").first()
        seq = last.seq + 1 if last else 1
        prev_hash = last.hash if last else ledger.GENESIS_HASH
        at = timezone.now()
        record = ConsentRecord(
            organisation=organisation,
            seq=seq,
            subject=membership.consent_ref,
            action=action,
            terms_version=terms.version,
            terms_sha256=terms.text_sha256,
            at=at,
            channel=channel,
            prev_hash=prev_hash,
        )
        record.hash = ledger.record_hash(record, organisation_code=organisation.code)
        record.full_clean()
        record.save()
    return record


def program_join(
    *,
    membership: Membership,
    terms: Terms,
    channel: ConsentRecord.Channel = ConsentRecord.Channel.WEB,
) -> Participation:
    """Accept the current terms explicitly: join, or move to a new version.

    The ledger records "joined" (first time, or after leaving) or "accepted" (already
    enrolled under an older version). Accepting the version one is already under changes
    nothing and records nothing.
    """
    if terms.organisation_id != membership.organisation_id:
        raise NoTermsError
    with transaction.atomic():
        _organisation_lock(membership.organisation)
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
        ledger_append(membership=membership, action=action, terms=terms, channel=channel)
    return participation


def program_leave(
    *, membership: Membership, channel: ConsentRecord.Channel = ConsentRecord.Channel.WEB
) -> bool:
    """Leave at once; False if the person was not enrolled (then nothing happens).

    The ledger records "left" with the version the person had accepted, and
    ``program_leave_effects`` stops everything that acted on their behalf, in the same
    transaction.
    """
    with transaction.atomic():
        _organisation_lock(membership.organisation)
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
        ledger_append(
            membership=membership,
            action=ConsentRecord.Action.LEFT,
            terms=participation.terms,
            channel=channel,
        )
        program_leave_effects(membership=membership)
    return True


def program_leave_effects(*, membership: Membership) -> None:
    """Everything that stops when a person leaves the program: the one hook to extend.

    Runs inside ``program_leave``'s transaction, so leaving happens entirely or not at all.

    - Their tracked links keep working and counting, but anonymously (``shares_detach``).
    - Scheduled posts do not exist yet. When they do, cancel the person's here.
    - Connected social accounts do not exist yet. When they do, disconnect the ones the
      person chose on the leave form and delete their tokens here (add a keyword argument
      such as ``disconnect_accounts`` and pass it from ``program_leave`` and the view).
    """
    from coro.sharing.services import shares_detach

    shares_detach(membership=membership)
