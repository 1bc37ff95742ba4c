"""CSV: one table per file, UTF-8 with a BOM; cells that a spreadsheet would run as a formula
are neutralised by ``coro.core.downloads.csv_cell``."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpResponse

from coro.analytics.exports.base import Cell, Table
from coro.core.downloads import csv_response


def _text(value: Cell) -> object:
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else value


@dataclass(frozen=True)
class CsvFormat:
    extension: str = "csv"
    label: str = "CSV"

    def response(self, filename: str, tables: Sequence[Table]) -> HttpResponse:
        assert len(tables) == 1, "a CSV file holds one table"
        [table] = tables
        return csv_response(filename, table.header, ([_text(v) for v in row] for row in table.rows))


FORMAT = CsvFormat()
