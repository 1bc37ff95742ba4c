from datetime import time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs.models import Membership, Organisation
from coro.orgs.profile import logo_file_name, validate_time_zone

PROFILE_FIELDS = ["name", "logo", "language", "time_zone", "work_days", "work_start", "work_end"]
ISO_WEEKDAYS = "1234567"


def _profile_of(organisation: Organisation) -> dict[str, str]:
    return {
        "name": organisation.name,
        "logo": organisation.logo.name or "",
        "language": organisation.language,
        "time_zone": organisation.time_zone,
        "work_days": organisation.work_days,
        "work_start": organisation.work_start.strftime("%H:%M"),
        "work_end": organisation.work_end.strftime("%H:%M"),
    }


def validate_working_hours(work_days: str, work_start: time, work_end: time) -> None:
    """The organisation's working hours: at least one ISO weekday ("1" = Monday), each once,
    and an end that differs from the start (an earlier end runs past midnight)."""
    errors: dict[str, str] = {}
    if not work_days:
        errors["work_days"] = _(
            "Tick at least one working day: without any, nothing is ever announced."
        )
    elif any(d not in ISO_WEEKDAYS for d in work_days) or len(set(work_days)) != len(work_days):
        errors["work_days"] = _("Working days are ISO weekday numbers, each at most once.")
    if work_start == work_end:
        errors["work_end"] = _("The end of the working hours must differ from their start.")
    if errors:
        raise ValidationError(errors)


def organisation_profile_update(
    *,
    organisation: Organisation,
    actor: Membership | None,
    name: str,
    language: str,
    time_zone: str,
    logo_png: bytes | None = None,
    remove_logo: bool = False,
    work_days: str | None = None,
    work_start: time | None = None,
    work_end: time | None = None,
) -> Organisation:
    """Change the organisation's name, logo, default language, time zone and working hours
    (``work_days`` None: the hours are kept); the change goes to the audit trail.
    ``logo_png`` is a logo already checked and re-encoded (``coro.orgs.profile.logo_prepare``).
    Nothing is changed when anything is invalid: a new logo file is removed again, and the
    old one is deleted only once the change is saved."""
    validate_time_zone(time_zone)
    if work_days is not None:
        if work_start is None or work_end is None:
            raise ValueError("work_start and work_end come with work_days")
        work_days = "".join(sorted(work_days))
        validate_working_hours(work_days, work_start, work_end)
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
            if work_days is not None and work_start is not None and work_end is not None:
                stored.work_days, stored.work_start, stored.work_end = (
                    work_days,
                    work_start,
                    work_end,
                )
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
    organisation.work_days = stored.work_days
    organisation.work_start, organisation.work_end = stored.work_start, stored.work_end
    return stored
