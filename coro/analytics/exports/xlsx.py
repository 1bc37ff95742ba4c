"""XLSX (Excel, LibreOffice): one sheet per table. Text is always written as text
(``write_string``), never as a formula, whatever it starts with."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import xlsxwriter  # type: ignore[import-untyped]
from django.http import HttpResponse

from coro.analytics.exports.base import Table
from coro.core.downloads import attachment

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def sheet_name(title: str, taken: set[str]) -> str:
    name = title.translate(_SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX].strip() or "Sheet"
    base, n = name, 2
    while name.casefold() in taken:
        suffix = f" {n}"
        name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            # Belt and braces: even write() would keep text as text.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.add_worksheet(sheet_name(table.title, taken))
        for column, heading in enumerate(table.header):
            sheet.write_string(0, column, heading, bold)
            sheet.set_column(column, column, max(10, min(40, len(heading) + 2)))
        for row_number, row in enumerate(table.rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row_number, column, value)
                elif isinstance(value, int):
                    sheet.write_number(row_number, column, value)
                elif isinstance(value, date):
                    sheet.write_datetime(row_number, column, value, day)
                else:
                    sheet.write_string(row_number, column, str(value))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()


@dataclass(frozen=True)
class XlsxFormat:
    extension: str = "xlsx"
    label: str = "XLSX"

    def response(self, filename: str, tables: Sequence[Table]) -> HttpResponse:
        return attachment(HttpResponse(workbook_bytes(tables), content_type=CONTENT_TYPE), filename)


FORMAT = XlsxFormat()
