"""What every export format writes: named tables of aggregates (never a named person)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.http import HttpResponse

Cell = str | int | date | None


@dataclass(frozen=True)
class Table:
    name: str  # the table's key in URLs and the sheet's name
    title: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


class Format(Protocol):
    """One file format: ``exports/<extension>.py`` defines ``FORMAT``."""

    extension: str
    label: str

    def response(self, filename: str, tables: Sequence[Table]) -> HttpResponse:
        """A download of ``tables`` (one per file for formats that hold only one)."""
        ...
