from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coro.core.downloads import json_response
from coro.core.languages import language_codes
from coro.orgs.access import OrgRequest, org_object_or_404, org_view
from coro.orgs.models import Membership, Role
from coro.program import exports, ledger, receipts, selectors, services
from coro.program.defaults import EXAMPLE_TEXTS
from coro.program.forms import TermsForm, _field_name
from coro.program.models import Terms


@org_view()
def terms(request: HttpRequest, membership: Membership) -> HttpResponse:
    participation = selectors.participation_of(membership)
    current = selectors.terms_current(membership.organisation)
    context = {
        "membership": membership,
        "terms": current,
        "participation": participation,
        "accepted_current": (
            participation is not None
            and participation.is_enrolled
            and current is not None
            and participation.terms_id == current.pk
        ),
        "my_records": selectors.ledger_records_of(membership),
    }
    return render(request, "program/terms.html", context)


@org_view()
@require_POST
def join(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Join, or accept a new version: the same explicit act, on the version one has read."""
    current = selectors.terms_current(membership.organisation)
    if current is None:
        raise Http404
    back_to_terms = redirect("program:terms", org_code=membership.organisation.code)
    if request.POST.get("version") != str(current.version) or "accept" not in request.POST:
        # The person must accept the exact version they read, explicitly.
        messages.error(request, _("Please read the terms and tick the box to accept them."))
        return back_to_terms
    was_pending = selectors.terms_update_pending(membership)
    try:
        services.program_join(membership=membership, terms=current)
    except services.TermsNotCurrentError:
        messages.error(request, _("A new version of the terms was just published: please read it."))
        return back_to_terms
    if was_pending:
        messages.success(
            request,
            _("You accepted version %(version)s of the terms.") % {"version": current.version},
        )
    else:
        messages.success(request, _("Welcome to the program. You can leave at any moment."))
    return redirect("content:feed", org_code=membership.organisation.code)


@org_view()
@require_POST
def leave(request: HttpRequest, membership: Membership) -> HttpResponse:
    services.program_leave(membership=membership)
    messages.success(
        request,
        _(
            "You have left the program. Visits through the links you shared are now counted "
            "anonymously."
        ),
    )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("content:feed", org_code=membership.organisation.code)


@org_view()
@require_POST
def invitation_dismiss(request: OrgRequest, membership: Membership) -> HttpResponse:
    """Stop showing the invitation to the program until the terms change. With htmx, an
    empty answer takes the banner away in place; without JavaScript, back to the page."""
    services.invitation_dismiss(membership=membership)
    if request.htmx:
        return HttpResponse()
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("content:feed", org_code=membership.organisation.code)


@org_view()
@require_GET
def version(request: HttpRequest, membership: Membership, version: int) -> HttpResponse:
    """Any published version, for anyone in the organisation to read."""
    published = org_object_or_404(Terms.objects.all(), membership.organisation, version=version)
    context = {
        "membership": membership,
        "terms": published,
        "current": selectors.terms_current(membership.organisation),
    }
    return render(request, "program/version.html", context)


def _example_initial() -> dict[str, str]:
    """The example terms as the form's initial values, in every language it is written in."""
    return {
        _field_name(part, language): text
        for language, parts in EXAMPLE_TEXTS.items()
        if language in language_codes()
        for part, text in parts.items()
    }


@org_view(Role.ADMIN)
def manage(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Write the next version of the terms, and see the published ones and the ledger."""
    organisation = membership.organisation
    current = selectors.terms_current(organisation)
    if current is None:
        # Before the first version: the example, to rewrite (the program is closed until then).
        form = TermsForm(request.POST or None, initial=_example_initial())
    else:
        form = TermsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            published = services.terms_publish(
                organisation=organisation, actor=membership, texts=form.cleaned_data["texts"]
            )
        except services.TermsUnchangedError:
            form.add_error(None, _("This is the text of the current version: change it first."))
        else:
            messages.success(
                request,
                _("Version %(version)s is published. Enrolled people will be asked to accept it.")
                % {"version": published.version},
            )
            return redirect("program:manage", org_code=organisation.code)
    context = {
        "membership": membership,
        "form": form,
        "current": current,
        "next_version": current.version + 1 if current else 1,
        "is_example": current is None,
        "versions": selectors.terms_versions(organisation),
        "check": ledger.ledger_verify(organisation),
    }
    return render(request, "program/manage.html", context)


def _filename(membership: Membership, extension: str, *, own: bool) -> str:
    scope = f"-{membership.consent_ref}" if own else ""
    return f"coro-consent-ledger-{membership.organisation.code}{scope}.{extension}"


@org_view(Role.ADMIN)
@require_GET
def ledger_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    records = selectors.ledger_records(membership.organisation)
    return exports.ledger_csv(records, filename=_filename(membership, "csv", own=False))


@org_view(Role.ADMIN)
@require_GET
def ledger_json(request: HttpRequest, membership: Membership) -> HttpResponse:
    records = selectors.ledger_records(membership.organisation)
    return exports.ledger_json(
        records,
        organisation=membership.organisation,
        filename=_filename(membership, "json", own=False),
    )


@org_view()
@require_GET
def my_ledger_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    records = selectors.ledger_records_of(membership)
    return exports.ledger_csv(records, filename=_filename(membership, "csv", own=True))


@org_view()
@require_GET
def my_ledger_json(request: HttpRequest, membership: Membership) -> HttpResponse:
    records = selectors.ledger_records_of(membership)
    return exports.ledger_json(
        records,
        organisation=membership.organisation,
        subject=membership.consent_ref,
        filename=_filename(membership, "json", own=True),
    )


@org_view()
@require_GET
def my_receipts(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The person's receipts of their records, as JSON: all of them, or the one of record
    ``?record=<seq>``. ``coro ledger verify --receipt FILE`` reads either file."""
    code, ref = membership.organisation.code, membership.consent_ref
    wanted = request.GET.get("record")
    if wanted is None:
        return json_response(
            f"coro-consent-receipts-{code}-{ref}.json", receipts.receipts_of(membership)
        )
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 9):
        raise Http404
    record = selectors.ledger_records_of(membership).filter(seq=int(wanted)).first()
    if record is None:
        raise Http404
    return json_response(
        f"coro-consent-receipt-{code}-{record.seq}.json",
        receipts.receipt_of(record, organisation_code=code),
    )
