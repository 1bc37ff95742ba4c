"""Reading a CSV of people: encodings, separators, column names, and files that are not one."""

import codecs

import pytest
from django.core import signing
from django.utils import translation

from coro.orgs.models import Role
from coro.people.csv_import import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    file_decode,
    payload_sign,
    payload_text,
    role_parse,
    rows_parse,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(data: bytes):
    return rows_parse(file_decode(data))


SPANISH_EXCEL = (
    "nombre;correo electrónico;equipo;rol\r\nÁngela Muñoz;Angela@Example.com ;Almacén;empleada\r\n"
)


# --- Encodings and separators ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        SPANISH_EXCEL.encode("cp1252"),  # what Excel in Spanish saves as "CSV"
        SPANISH_EXCEL.encode("utf-8"),
        codecs.BOM_UTF8 + SPANISH_EXCEL.encode("utf-8"),  # "CSV UTF-8"
        SPANISH_EXCEL.encode("utf-16"),  # "Unicode text" (with its BOM)
        ("sep=;\r\n" + SPANISH_EXCEL).encode("cp1252"),
    ],
    ids=["windows-1252", "utf-8", "utf-8-bom", "utf-16", "sep-directive"],
)
def test_spanish_excel_files_read_the_same_in_every_encoding(data):
    parsed = parse(data)
    assert len(parsed.rows) == 1
    row = parsed.rows[0]
    assert (row.name, row.email, row.team, row.role) == (
        "Ángela Muñoz",
        "angela@example.com",
        "Almacén",
        "empleada",
    )
    assert row.line == (3 if data.startswith(b"sep") else 2)
    assert parsed.ignored_columns == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_separator_is_guessed_from_the_first_line(delimiter):
    text = delimiter.join(["name", "email", "team", "role"]) + "\n"
    text += delimiter.join(["Pau Ribes", "pau@example.com", "Obra, taller", "editor"]).replace(
        "Obra, taller", '"Obra, taller"'
    )
    (row,) = rows_parse(text).rows
    assert (row.name, row.email, row.team, row.role) == (
        "Pau Ribes",
        "pau@example.com",
        "Obra, taller",
        "editor",
    )


@pytest.mark.parametrize(
    ("header", "line", "team", "role"),
    [
        ("name,email,team,role", "Pau Ribes,pau@example.com,Obra,editor", "Obra", "editor"),
        ("Name,E-mail,Team,Role", "Pau Ribes,pau@example.com,Obra,editor", "Obra", "editor"),
        ("NOMBRE,Correo,Equipo,Rol", "Pau Ribes,pau@example.com,Obra,editor", "Obra", "editor"),
        ("nom,correu electrònic,equip,rol", "Pau Ribes,pau@example.com,Obra,", "Obra", ""),
        ("Nombre completo,Correo_electronico,Departamento", "Pau Ribes,pau@example.com,", "", ""),
        ("email,name", "pau@example.com,Pau Ribes", "", ""),  # any order; team, role optional
    ],
)
def test_column_names_in_english_spanish_or_catalan(header, line, team, role):
    (row,) = rows_parse(f"{header}\n{line}\n").rows
    assert (row.name, row.email, row.team, row.role) == ("Pau Ribes", "pau@example.com", team, role)


def test_unknown_columns_are_ignored_and_reported():
    parsed = rows_parse("name,email,phone,team\nPau,pau@example.com,600000000,Obra\n")
    assert parsed.ignored_columns == ["phone"]
    assert parsed.rows[0].team == "Obra"


def test_blank_lines_are_skipped_and_line_numbers_stay_true():
    parsed = rows_parse("\nname,email\n\nPau,pau@example.com\n  \n , \nMar,mar@example.com\n")
    assert [(r.line, r.name) for r in parsed.rows] == [(4, "Pau"), (7, "Mar")]


def test_short_rows_get_blank_values_and_spaces_are_trimmed():
    (row,) = rows_parse("name,email,team,role\n  Pau   Ribes ,  PAU@example.com\n").rows
    assert (row.name, row.email, row.team, row.role) == ("Pau Ribes", "pau@example.com", "", "")


# --- Roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("", Role.EMPLOYEE),
        ("employee", Role.EMPLOYEE),
        ("Empleado", Role.EMPLOYEE),
        ("empleat", Role.EMPLOYEE),
        ("EDITORA", Role.EDITOR),
        ("admin", Role.ADMIN),
        ("Administrador", Role.ADMIN),
        ("jefe", None),
        ("owner", None),
    ],
)
def test_roles_in_every_language(value, role):
    assert role_parse(value) == role


# --- Files that are not a list of people ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\r\n ", "The file is empty."),
        (codecs.BOM_UTF8, "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a text file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "spreadsheet workbook"),
        (b"name,email\n\x81\x8d\x8f,x@example.com\n", "characters can't be read"),
        (b"a" * (MAX_BYTES + 1), "larger than 1 MB"),
    ],
    ids=["empty", "blank", "bom-only", "png", "xlsx", "xls", "undecodable", "too-big"],
)
def test_unreadable_files_get_a_clear_message(data, message):
    with pytest.raises(ImportFileError) as error:
        parse(data)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Pau Ribes,pau@example.com,Obra,editor\n", "The first line must name the columns"),
        ("nombre;teléfono\nPau;600\n", "The first line must name the columns"),
        ("name,email\n", "lists nobody"),
        ("name,email,correo\nPau,a@example.com,b@example.com\n", "Two columns"),
        ('name,email\n"Pau,pau@example.com\n' + "x" * 200_000, "Line"),
    ],
    ids=["no-header", "wrong-columns", "header-only", "two-email-columns", "open-quote"],
)
def test_files_without_the_right_shape_get_a_clear_message(text, message):
    with pytest.raises(ImportFileError) as error:
        rows_parse(text)
    assert message in error.value.message


def test_the_wrong_columns_message_says_what_was_found():
    with pytest.raises(ImportFileError) as error:
        rows_parse("first name,surname,phone\nPau,Ribes,600\n")
    assert "first name, surname, phone" in error.value.message
    assert "nombre, correo, equipo, rol" in error.value.message


def test_more_than_the_row_limit_is_refused():
    lines = "".join(f"P{i},p{i}@example.com\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError) as error:
        rows_parse("name,email\n" + lines)
    assert str(MAX_ROWS) in error.value.message
    assert len(rows_parse("name,email\n" + lines[: lines.index(f"P{MAX_ROWS},")]).rows) == MAX_ROWS


def test_messages_follow_the_language():
    with translation.override("es"):
        with pytest.raises(ImportFileError) as error:
            file_decode(b"")
        assert str(error.value.message) == translation.gettext("The file is empty.")
        assert str(error.value.message) != "The file is empty."


# --- The signed text between preview and confirmation ---------------------------------------


def test_the_payload_gives_back_the_text_for_its_organisation_only():
    payload = payload_sign(organisation_code="org1", text="name,email\nPau,pau@example.com\n")
    assert payload_text(organisation_code="org1", payload=payload).startswith("name,email")
    with pytest.raises(ImportFileError):
        payload_text(organisation_code="org2", payload=payload)


def test_an_altered_payload_is_refused():
    payload = payload_sign(organisation_code="org1", text="name,email\nPau,pau@example.com\n")
    forged = signing.dumps({"o": "org1", "t": "name,email\nX,x@example.com\n"}, salt="other")
    for bad in (payload[:-2] + "xx", forged, "", "not-a-payload"):
        with pytest.raises(ImportFileError):
            payload_text(organisation_code="org1", payload=bad)


def test_an_old_payload_is_refused(monkeypatch):
    payload = payload_sign(organisation_code="org1", text="name,email\nPau,pau@example.com\n")
    monkeypatch.setattr("coro.people.csv_import.PAYLOAD_MAX_AGE", -1)
    with pytest.raises(ImportFileError) as error:
        payload_text(organisation_code="org1", payload=payload)
    assert "more than an hour old" in error.value.message
