"""Compile the translation catalogues (``django.po``) into ``django.mo`` with polib.

Run as ``python -m coro.core.compile_messages`` (``make messages`` does, right after
``coro makemessages``). Using polib instead of Django's ``compilemessages`` means no
GNU ``msgfmt`` is needed to produce the ``.mo`` files that ship with the package.
Fuzzy and untranslated entries are left out, as ``msgfmt`` would do.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/django.po`` under ``locale_dir``, sorted."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))


def compile_catalogue(po_path: Path) -> Path:
    """Write the ``.mo`` next to ``po_path`` and return its path."""
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every catalogue under ``locale_dir``; return the ``.mo`` paths written."""
    return [compile_catalogue(po_path) for po_path in catalogues(locale_dir)]


def main() -> None:
    written = compile_all()
    if not written:
        raise SystemExit(f"No django.po catalogue found under {LOCALE_DIR}.")
    for mo_path in written:
        print(f"Compiled {mo_path.relative_to(LOCALE_DIR.parent)}")


if __name__ == "__main__":
    main()
