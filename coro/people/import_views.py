"""Inviting people from a CSV file: upload, preview every line, confirm.

Nothing is written until the admin confirms. The preview page carries the file's text,
signed for the organisation (``csv_import.payload_sign``); confirming checks the signature
and checks every line again against the organisation as it is then, so the browser can
neither add lines nor skip the checks, and confirming twice invites nobody twice.
"""

import csv
import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coro.accounts.models import User
from coro.orgs import selectors as org_selectors
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role
from coro.people import selectors, services
from coro.people.csv_import import payload_sign
from coro.people.forms import ImportConfirmForm, ImportUploadForm

# The sample file in each language: its column names, separator and roles. Spanish and
# Catalan use semicolons, as Excel does in those languages.
SAMPLES = {
    "en": (",", ("name", "email", "team", "role"), ("employee", "editor", "employee")),
    "es": (";", ("nombre", "correo", "equipo", "rol"), ("empleado", "editor", "empleado")),
    "ca": (";", ("nom", "correu", "equip", "rol"), ("empleat", "editor", "empleat")),
}
SAMPLE_PEOPLE = (
    ("Marta Gil Ortega", "marta.gil@example.com"),
    ("Jordi Pons Vidal", "jordi.pons@example.com"),
    ("Lucía Navarro Sanz", "lucia.navarro@example.com"),
)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest, membership: Membership) -> HttpResponse:
    """GET: the upload form. POST: the preview of the uploaded file, line by line."""
    organisation = membership.organisation
    if request.method != "POST":
        return _upload_page(request, membership, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, membership, form, status=400)
    lines = selectors.import_lines(organisation=organisation, rows=form.parsed.rows)
    return render(
        request,
        "people/import_preview.html",
        {
            "membership": membership,
            "lines": lines,
            "summary": selectors.import_summary(lines),
            "ignored_columns": form.parsed.ignored_columns,
            "filename": form.cleaned_data["file"].name,
            "confirm_form": ImportConfirmForm(
                initial={
                    "payload": payload_sign(organisation_code=organisation.code, text=form.text)
                },
                organisation=organisation,
            ),
            "upload_form": ImportUploadForm(),
        },
    )


def _upload_page(
    request: HttpRequest, membership: Membership, form: ImportUploadForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "people/import.html",
        {
            "membership": membership,
            "upload_form": form,
            "teams": org_selectors.teams_of_organisation(membership.organisation),
        },
        status=status,
    )


@org_view(Role.ADMIN)
@require_POST
def people_import_confirm(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    form = ImportConfirmForm(request.POST, organisation=organisation)
    if not form.is_valid():
        for error in form.errors.get("payload", []):
            messages.error(request, str(error))
        return redirect("people:import", org_code=organisation.code)
    assert isinstance(request.user, User)
    result = services.people_import(
        organisation=organisation, rows=form.parsed.rows, invited_by=request.user
    )
    if result.invited:
        messages.success(
            request,
            ngettext("%(count)s invitation sent.", "%(count)s invitations sent.", result.invited)
            % {"count": result.invited},
        )
    else:
        messages.info(
            request, _("Nothing new to send: everyone in the file is already invited or a member.")
        )
    skipped = result.skipped + result.errors
    if skipped:
        messages.info(
            request,
            ngettext(
                "%(count)s line was left out (already invited, already a member, or with an "
                "error).",
                "%(count)s lines were left out (already invited, already a member, or with an "
                "error).",
                skipped,
            )
            % {"count": skipped},
        )
    return redirect("people:people", org_code=organisation.code)


@org_view(Role.ADMIN)
def people_import_sample(request: HttpRequest, membership: Membership) -> HttpResponse:
    """A sample file in the admin's language, with the organisation's own teams."""
    delimiter, header, roles = SAMPLES.get(get_language() or "", SAMPLES["en"])
    teams = list(
        org_selectors.teams_of_organisation(membership.organisation).values_list("name", flat=True)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for index, ((name, email), role) in enumerate(zip(SAMPLE_PEOPLE, roles, strict=True)):
        team = teams[index % len(teams)] if teams else ""
        writer.writerow((name, email, team, role))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response
