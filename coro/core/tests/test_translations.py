"""Every catalogue (each language of ``settings.LANGUAGES`` but English, the language of
the code) is complete, consistent, compiled and in use.

If a test here fails after you changed user-facing text, run ``make messages``,
translate the new entries in ``coro/locale/<language>/LC_MESSAGES/django.po`` (no fuzzy
flags left behind) and run ``make messages`` again to recompile the ``.mo``.
"""

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from coro.core import compile_messages

PACKAGE_DIR = Path(compile_messages.__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]
PO_PATHS = {
    code: PACKAGE_DIR / "locale" / code / "LC_MESSAGES" / "django.po" for code in TRANSLATED
}

# Same scope as `make messages` (makemessages' default extensions for the django domain).
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
SKIPPED_DIRS = {"locale", "static", "__pycache__", "node_modules"}

NAMED_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
POSITIONAL_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{\w*(?:[!:][^{}]*)?\}(?!\})")


def _placeholders(text: str, python_format: bool) -> Counter[str]:
    found = NAMED_PLACEHOLDER.findall(text) + BRACE_PLACEHOLDER.findall(text)
    if python_format:
        without_named = NAMED_PLACEHOLDER.sub("", text.replace("%%", ""))
        found += POSITIONAL_PLACEHOLDER.findall(without_named)
    return Counter(found)


def _key(entry: polib._BaseEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _describe(entry: polib._BaseEntry) -> str:
    context = f" [context {entry.msgctxt!r}]" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context}"


def _translations(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], object]:
    """msgid -> translation for the entries that end up in a .mo (translated, not fuzzy)."""
    mapping: dict[tuple[str | None, str], object] = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            forms = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
            if any(text for _index, text in forms):
                mapping[_key(entry)] = (entry.msgid_plural, forms)
        elif entry.msgstr:
            mapping[_key(entry)] = entry.msgstr
    return mapping


@pytest.fixture(scope="module", params=TRANSLATED)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def po(language: str) -> polib.POFile:
    assert PO_PATHS[language].exists(), f"No catalogue for {language}: run `make messages`."
    return polib.pofile(str(PO_PATHS[language]))


def test_every_language_but_the_source_has_a_catalogue():
    assert TRANSLATED == ["es", "ca"]
    assert all(path.exists() for path in PO_PATHS.values())


def test_header_declares_the_language_with_two_plural_forms(po, language):
    assert po.metadata.get("Language") == language
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy


def test_gnu_gettext_reads_the_catalogue(language):
    """GNU msgfmt (what translators' tools and Django's compilemessages run) accepts the file:
    polib alone reads some files that msgfmt refuses (a stray ``#| msgid_plural``, say)."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext is needed for the tests (make installs it)"
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(PO_PATHS[language])],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_entry_is_translated_and_not_fuzzy(po):
    active = [e for e in po if not e.obsolete]
    assert active, "The catalogue is empty."
    problems = [f"fuzzy: {_describe(e)}" for e in active if "fuzzy" in e.flags]
    problems += [
        f"untranslated: {_describe(e)}"
        for e in active
        if "fuzzy" not in e.flags and not e.translated()
    ]
    assert not problems, (
        "Translate these entries in django.po (check fuzzy ones, then drop the flag):\n"
        + "\n".join(problems)
    )


def test_placeholders_are_kept(po):
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        python_format = "python-format" in entry.flags
        if entry.msgid_plural:
            allowed = [
                _placeholders(entry.msgid, python_format),
                _placeholders(entry.msgid_plural, python_format),
            ]
            for index, text in sorted(entry.msgstr_plural.items()):
                if _placeholders(text, python_format) not in allowed:
                    problems.append(f"{_describe(entry)} msgstr[{index}] = {text!r}")
        elif _placeholders(entry.msgid, python_format) != _placeholders(
            entry.msgstr, python_format
        ):
            problems.append(f"{_describe(entry)} -> {entry.msgstr!r}")
    assert not problems, "Placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_compiled_catalogue_matches_the_po(po, language):
    mo_path = PO_PATHS[language].with_suffix(".mo")
    assert mo_path.exists(), "django.mo is missing: run `make messages`."
    mo = polib.mofile(str(mo_path))
    expected, compiled = _translations(po), _translations(mo)
    stale = sorted(
        repr(k[1]) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)
    )
    assert not stale, (
        "django.mo is out of date with django.po (run `make messages` or "
        "`python -m coro.core.compile_messages`):\n" + "\n".join(stale)
    )
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


def test_compile_messages_writes_a_mo_for_each_catalogue(tmp_path):
    targets = []
    for code in TRANSLATED:
        target = tmp_path / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(PO_PATHS[code], target / "django.po")
        targets.append(target / "django.mo")

    written = compile_messages.compile_all(tmp_path)

    assert written == sorted(targets)
    for code in TRANSLATED:
        mo = polib.mofile(str(tmp_path / code / "LC_MESSAGES" / "django.mo"))
        assert _translations(mo) == _translations(polib.pofile(str(PO_PATHS[code])))


def _copy_sources(destination: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in SKIPPED_DIRS or name.startswith("."):
                    ignored.add(name)
            elif path.suffix not in SOURCE_SUFFIXES:
                ignored.add(name)
        return ignored

    shutil.copytree(PACKAGE_DIR, destination, ignore=ignore)


def test_every_message_in_the_code_is_in_the_catalogue(po, language, tmp_path, monkeypatch):
    tools = ("xgettext", "msguniq", "msgmerge", "msgattrib")
    missing_tools = [tool for tool in tools if shutil.which(tool) is None]
    # make test installs gettext; without it this check would pass silently, so it fails.
    assert not missing_tools, f"GNU gettext is not installed ({', '.join(missing_tools)} missing)"

    # makemessages runs on a copy of the sources, so it never writes into the real tree.
    tree = tmp_path / "coro"
    _copy_sources(tree)
    locale_dir = tree / "locale"
    locale_dir.mkdir()
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[str(locale_dir)]):
        call_command(
            "makemessages", locale=[language], no_obsolete=True, add_location="file", verbosity=0
        )
    fresh = polib.pofile(str(locale_dir / language / "LC_MESSAGES" / "django.po"))

    committed = {_key(e): e for e in po if not e.obsolete}
    missing = []
    for entry in fresh:
        known = committed.get(_key(entry))
        if known is None or (known.msgid_plural or "") != (entry.msgid_plural or ""):
            where = ", ".join(sorted({path for path, _line in entry.occurrences}))
            missing.append(f"{_describe(entry)} ({where})")
    assert len(fresh) > 0, "makemessages found no translatable text at all."
    assert not missing, (
        f"Text in the code is missing from the {language} catalogue; run `make messages` "
        "and translate it:\n" + "\n".join(missing)
    )


# Aliases, so that makemessages does not list this file as a place where the strings live.
_lookup = translation.gettext
_lookup_plural = translation.ngettext


def test_interface_is_spanish_by_default_catalan_and_english_on_request():
    with translation.override("es"):
        assert _lookup("Log in") == "Iniciar sesión"
        assert _lookup("Feed") == "Novedades"
        assert _lookup("Leave the program") == "Salir del programa"
        days = _lookup_plural(
            "The link works once and expires in %(days)s day.",
            "The link works once and expires in %(days)s days.",
            7,
        ) % {"days": 7}
        assert days == "El enlace solo se puede usar una vez y caduca en 7 días."
        rendered = Template('{% load i18n %}{% translate "Share on" %}').render(Context())
        assert rendered == "Compartir en"
    with translation.override("ca"):
        assert _lookup("Feed") == "Novetats"
        assert _lookup("Leave the program") != "Leave the program"
    with translation.override("en"):
        assert _lookup("Log in") == "Log in"
        assert _lookup("Feed") == "Feed"
        days = _lookup_plural(
            "The link works once and expires in %(days)s day.",
            "The link works once and expires in %(days)s days.",
            1,
        ) % {"days": 1}
        assert days == "The link works once and expires in 1 day."
