"""Downloads of the dashboard's tables: a registry of tables (``tables.TABLES``) and one
small module per file format (``FORMATS``). Adding a format: write ``exports/<ext>.py``
defining ``FORMAT`` (see ``base.Format``) and add it below; the URLs follow."""

from coro.analytics.exports import csv, xlsx
from coro.analytics.exports.base import Format, Table
from coro.analytics.exports.tables import TABLES, Source

FORMATS: dict[str, Format] = {module.FORMAT.extension: module.FORMAT for module in (csv, xlsx)}

__all__ = ["FORMATS", "TABLES", "Format", "Source", "Table"]
