"""Reading a CSV file of people to invite: bytes to text, text to rows. Nothing here touches
the database; ``selectors.import_lines`` checks each row against the organisation.

What is accepted (docs/people.md): up to ``MAX_BYTES``, UTF-8 with or without a BOM, UTF-16
with a BOM (Excel's "Unicode text"), or Windows-1252 (what Excel in Spanish writes as "CSV");
separated by commas, semicolons or tabs (guessed from the first line); a first line naming
the columns in English, Spanish or Catalan.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.core import signing
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from coro.orgs.models import Role

MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
DELIMITERS = (",", ";", "\t")

# The column names each field answers to, written as ``header_key`` leaves them (lower
# case, no accents, punctuation as spaces).
COLUMNS: dict[str, frozenset[str]] = {
    "name": frozenset(
        {
            "name",
            "full name",
            "nombre",
            "nombre completo",
            "nombre y apellidos",
            "nom",
            "nom complet",
            "nom i cognoms",
        }
    ),
    "email": frozenset(
        {
            "email",
            "e mail",
            "mail",
            "email address",
            "e mail address",
            "correo",
            "correo electronico",
            "correu",
            "correu electronic",
        }
    ),
    "team": frozenset({"team", "equipo", "equip", "department", "departamento", "departament"}),
    "role": frozenset({"role", "rol"}),
}
REQUIRED_COLUMNS = ("name", "email")

# The words each role answers to, as ``header_key`` leaves them. A blank role is employee.
ROLES: dict[str, Role] = {
    **dict.fromkeys(("admin", "administrator", "administrador", "administradora"), Role.ADMIN),
    **dict.fromkeys(("editor", "editora"), Role.EDITOR),
    **dict.fromkeys(
        (
            "employee",
            "empleado",
            "empleada",
            "empleat",
            "trabajador",
            "trabajadora",
            "treballador",
            "treballadora",
        ),
        Role.EMPLOYEE,
    ),
}

# Files that are not text, recognised by their first bytes.
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), .xls (OLE)
_SEP_DIRECTIVE = re.compile(r"^sep=(.)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

PAYLOAD_SALT = "coro.people.import"
PAYLOAD_MAX_AGE = 60 * 60  # seconds between the preview and the confirmation


class ImportFileError(Exception):
    """The file cannot be read as a list of people; ``message`` says why, for the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportRow:
    """One line of the file, its values stripped (the e-mail address also lower-cased)."""

    line: int
    name: str
    email: str
    team: str
    role: str


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ImportRow]
    ignored_columns: list[str]


def header_key(text: str) -> str:
    """``text`` lower-cased, without accents, punctuation turned into spaces: "Correo
    electrónico" and "correo_electronico" both give "correo electronico"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", plain).split())


def team_key(text: str) -> str:
    """How team names are compared: case and repeated spaces do not matter."""
    return " ".join(text.split()).casefold()


def role_parse(value: str) -> Role | None:
    """The role a cell names, employee when blank, or None when it names no role."""
    key = header_key(value)
    if not key:
        return Role.EMPLOYEE
    return ROLES.get(key)


def file_decode(data: bytes) -> str:
    """The text of an uploaded file, or ``ImportFileError`` with a message for the admin."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(_WORKBOOK_SIGNATURES):
        raise ImportFileError(
            _(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet, "
                "choose “Save as” and the CSV format, then upload that file."
            )
        )
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif b"\x00" in data:
            raise ImportFileError(_not_text())
        else:
            text = _utf8_or_windows_1252(data)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's characters can't be read. Save it as CSV in UTF-8 and upload it again.")
        ) from None
    if _CONTROL.search(text):
        raise ImportFileError(_not_text())
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    return text


def _utf8_or_windows_1252(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _not_text() -> str:
    return _("This is not a text file. Save your list as CSV and upload that file.")


def _expected_columns() -> str:
    return _(
        "The first line must name the columns: name, email, team, role (or nombre, "
        "correo, equipo, rol; or nom, correu, equip, rol). Name and e-mail are required; "
        "team and role are optional."
    )


def rows_parse(text: str) -> ParsedFile:
    """The people in ``text`` (a CSV with a first line naming its columns), or
    ``ImportFileError``. Blank lines are skipped; line numbers count from the file's top."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    directive = _SEP_DIRECTIVE.match(lines[first].strip())
    if directive:  # Excel's "sep=;" first line
        delimiter = directive.group(1)
        skip = first + 1
    else:
        counts = {d: lines[first].count(d) for d in DELIMITERS}
        delimiter = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the comma
        skip = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _skipped in range(skip):
            next(reader, None)
        header = _header_read(reader)
        columns, ignored = _columns_of(header)
        rows: list[ImportRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(count)s people. Split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
            rows.append(_row_of(cells, columns, reader.line_num))
    except csv.Error:
        raise ImportFileError(
            _("Line %(line)s can't be read: check its quotes.") % {"line": reader.line_num}
        ) from None
    if not rows:
        raise ImportFileError(_("The file names its columns but lists nobody."))
    return ParsedFile(rows=rows, ignored_columns=ignored)


def _header_read(reader: Iterator[list[str]]) -> list[str]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            return cells
    raise ImportFileError(_("The file is empty."))


def _columns_of(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds each field, and the names of the columns that are ignored."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        key = header_key(cell)
        field = next((f for f, names in COLUMNS.items() if key in names), None)
        if field is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if field in columns:
            raise ImportFileError(
                _("Two columns hold the same thing: “%(first)s” and “%(second)s”.")
                % {"first": header[columns[field]].strip(), "second": cell.strip()}
            )
        columns[field] = index
    if any(field not in columns for field in REQUIRED_COLUMNS):
        found = Truncator(", ".join(c.strip() for c in header if c.strip())).chars(200)
        raise ImportFileError(
            _expected_columns()
            + " "
            + _("The file's first line has: %(found)s.") % {"found": found}
        )
    return columns, ignored


def _row_of(cells: list[str], columns: dict[str, int], line: int) -> ImportRow:
    def value(field: str) -> str:
        index = columns.get(field)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    return ImportRow(
        line=line,
        name=" ".join(value("name").split()),
        email=value("email").lower(),
        team=value("team"),
        role=value("role"),
    )


def payload_sign(*, organisation_code: str, text: str) -> str:
    """The file's text, signed for this organisation, to carry from preview to confirmation:
    the server reads back exactly what it parsed, whatever the browser sends."""
    return signing.dumps({"o": organisation_code, "t": text}, salt=PAYLOAD_SALT, compress=True)


def payload_text(*, organisation_code: str, payload: str) -> str:
    """The text ``payload_sign`` signed, or ``ImportFileError`` if the payload was altered,
    is older than ``PAYLOAD_MAX_AGE`` or belongs to another organisation."""
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportFileError(
            _("This preview is more than an hour old. Upload the file again.")
        ) from None
    except signing.BadSignature:
        raise ImportFileError(_("This preview can't be used. Upload the file again.")) from None
    if not isinstance(data, dict) or data.get("o") != organisation_code:
        raise ImportFileError(_("This preview can't be used. Upload the file again."))
    text = data.get("t")
    if not isinstance(text, str):
        raise ImportFileError(_("This preview can't be used. Upload the file again."))
    return text
