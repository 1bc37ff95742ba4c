"""Downloads (CSV, JSON, ZIP) of organisation and personal data."""

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

# A cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_filename(scope_code: str, what: str, extension: str) -> str:
    """``coro-<what>-<organisation code>-<today>.<extension>``."""
    return f"coro-{what}-{scope_code}-{timezone.localdate().isoformat()}.{extension}"


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark ``response`` as a download that no proxy or browser keeps (people's data)."""
    disposition = content_disposition_header(True, filename)
    assert disposition is not None  # None only for an inline response without a name
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    return response


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    response = attachment(HttpResponse(content_type="text/csv; charset=utf-8"), filename)
    response.write("\ufeff")  # so spreadsheets read the accents as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def json_response(filename: str, data: Any) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), filename)


def zip_response(filename: str, content: bytes) -> HttpResponse:
    return attachment(HttpResponse(content, content_type="application/zip"), filename)
