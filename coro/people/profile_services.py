from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs.models import Membership, Organisation
from coro.orgs.profile import logo_file_name, validate_time_zone

PROFILE_FIELDS = ["name", "logo", "language", "time_zone"]


def _profile_of(organisation: Organisation) -> dict[str, str]:
    return {
        "name": organisation.name,
        "logo": organisation.logo.name or "",
        "language": organisation.language,
        "time_zone": organisation.time_zone,
    }


def organisation_profile_update(
    *,
    organisation: Organisation,
    actor: Membership | None,
    name: str,
    language: str,
    time_zone: str,
    logo_png: bytes | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Change the organisation's name, logo, default language and time zone; the change goes
    to the audit trail. ``logo_png`` is a logo already checked and re-encoded
    (``coro.orgs.profile.logo_prepare``). Nothing is changed when anything is invalid: a new
    logo file is removed again, and the old one is deleted only once the change is saved."""
    validate_time_zone(time_zone)
    new_file = ""
    if logo_png is not None:
        wanted = logo_file_name(organisation.code, logo_png)
        if wanted != organisation.logo.name:
            new_file = default_storage.save(wanted, ContentFile(logo_png))
    try:
        with transaction.atomic():
            stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
            before = _profile_of(stored)
            stored.name = name.strip()
            stored.language = language
            stored.time_zone = time_zone
            if new_file:
                stored.logo.name = new_file
            elif remove_logo:
                stored.logo.name = ""
            stored.full_clean()
            stored.save(update_fields=PROFILE_FIELDS)
            after = _profile_of(stored)
            if after != before:
                audit_record(
                    organisation=stored,
                    actor=actor,
                    action=AuditEntry.Action.PROFILE_CHANGED,
                    before=before,
                    after=after,
                )
            old_file = before["logo"]
            if old_file and old_file != after["logo"]:
                transaction.on_commit(lambda: default_storage.delete(old_file))
    except BaseException:
        if new_file:
            default_storage.delete(new_file)
        raise
    # The caller's copy (the request's membership) shows the saved profile too.
    organisation.name, organisation.language = stored.name, stored.language
    organisation.time_zone, organisation.logo = stored.time_zone, stored.logo.name
    return stored
