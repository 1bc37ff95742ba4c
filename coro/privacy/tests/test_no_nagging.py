"""Charter rule 9: nothing in Coro nags. No text anywhere reminds someone to share.

Cheap, but it documents the rule where a new template or e-mail would break it. Tests are
not searched: they may name a reminder to check that there is none.
"""

import re
from pathlib import Path

import pytest

from coro.notifications.models import Notification

PACKAGE = Path(__file__).resolve().parents[2]
THIS_FILE = Path(__file__).resolve()
SUFFIXES = {".py", ".html", ".txt", ".po"}
PHRASES = [
    r"you haven['\u2019]t shared",
    r"you have not shared",
    r"you didn['\u2019]t share",
    r"you did not share",
    r"no has compartido",
    r"a[úu]n no has compartido",
    r"reminder",
    r"recordatorio",
    r"don['\u2019]t forget to share",
    r"remember to share",
    r"it['\u2019]s been a while",
    r"no olvides compartir",
    r"recuerda compartir",
    r"hace (tiempo|mucho) que no",
    r"no has compartit",
    r"no oblidis (de )?compartir",
    r"recorda (de )?compartir",
    r"recordatori",
    r"fa (temps|molt) que no",
]
NAGGING = re.compile("|".join(PHRASES), re.IGNORECASE)


def sources() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*")
        if path.suffix in SUFFIXES
        and path.resolve() != THIS_FILE
        and not {"__pycache__", "migrations", "tests"} & set(path.parts)
    )


def test_the_search_covers_code_templates_and_translations():
    found = {path.relative_to(PACKAGE).as_posix() for path in sources()}
    assert "templates/base.html" in found
    assert "notifications/services.py" in found
    assert "locale/es/LC_MESSAGES/django.po" in found


@pytest.mark.parametrize(
    "text",
    [
        "Reminder: share our post",
        "Aún no has compartido",
        "You haven't shared this yet",
        "Fa temps que no comparteixes res",
        "Recorda compartir la notícia",
    ],
)
def test_the_search_recognises_nagging(text):
    assert NAGGING.search(text)


def test_nothing_reminds_anyone_to_share():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAGGING.search(line)
    ]
    assert offenders == []


def test_no_kind_of_notification_is_about_anyone_not_sharing():
    # A new kind must be read before it is added here: none may chase a person's sharing.
    assert set(Notification.Kind.values) == {
        "new_post",
        "comment_reply",
        "proposal_decided",
        "scheduled_post_failed",
        "account_reconnect",
        "terms_updated",
        "consent_receipt",
    }
