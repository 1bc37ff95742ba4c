from django.db.models import OuterRef, QuerySet, Subquery

from coro.orgs.models import Membership, Organisation
from coro.program.models import ConsentRecord, Participation, Terms


def terms_current(organisation: Organisation) -> Terms | None:
    return Terms.objects.filter(organisation=organisation).order_by("-version").first()


def participation_of(membership: Membership) -> Participation | None:
    return Participation.objects.filter(membership=membership).first()


def is_enrolled(membership: Membership) -> bool:
    return Participation.objects.filter(
        membership=membership, status=Participation.Status.ENROLLED
    ).exists()


def terms_versions(organisation: Organisation) -> QuerySet[Terms]:
    """Every published version, newest first."""
    return Terms.objects.filter(organisation=organisation).order_by("-version")


def ledger_records(organisation: Organisation) -> QuerySet[ConsentRecord]:
    """The consent ledger as admins export it: pseudonymous subjects, in chain order."""
    return ConsentRecord.objects.filter(organisation=organisation).order_by("seq")


def ledger_records_of(membership: Membership) -> QuerySet[ConsentRecord]:
    """One person's own records, under their pseudonym, in chain order."""
    return ledger_records(membership.organisation).filter(subject=membership.consent_ref)


def terms_update_pending(membership: Membership) -> bool:
    """Enrolled under an older version than the current one: asked (once) to review."""
    participation = participation_of(membership)
    if participation is None or not participation.is_enrolled:
        return False
    current = terms_current(membership.organisation)
    return current is not None and participation.terms_id != current.pk


def invitation_banner_shown(membership: Membership) -> bool:
    """Whether to invite the person to the program on the feed: only when terms are
    published, they are not enrolled (never joined, or left) and they have not dismissed the
    invitation under the current version. One query."""
    current_version = Subquery(
        Terms.objects.filter(organisation=OuterRef("organisation"))
        .order_by("-version")
        .values("version")[:1]
    )
    row = (
        Membership.objects.filter(pk=membership.pk)
        .annotate(current_version=current_version)
        .values("current_version", "participation__status", "invitation_dismissal__terms_version")
        .get()
    )
    version, status, dismissed_under = (
        row["current_version"],
        row["participation__status"],
        row["invitation_dismissal__terms_version"],
    )
    if version is None or status == Participation.Status.ENROLLED:
        return False
    return dismissed_under is None or dismissed_under < version
