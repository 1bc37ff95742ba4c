"""Every app's contribution to "Download my data" and to erasure, listed in one place.

Each app says what it holds in its own ``personal_data.py`` (coro/core/personal_data.py
explains the shape); this module only lists them, in the order the download shows them.
``tests/test_personal_data.py`` walks every model and fails on one that no file covers and
that is not declared as holding nothing personal.
"""

from collections.abc import Iterable, Mapping
from types import ModuleType

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django_tasks_db.models import DBTaskResult

from coro.accounts import personal_data as accounts
from coro.analytics import personal_data as analytics
from coro.audit import personal_data as audit
from coro.community import personal_data as community
from coro.connections import personal_data as connections
from coro.content import personal_data as content
from coro.core.personal_data import Eraser, PersonalDataFile
from coro.identity import personal_data as identity
from coro.notifications import personal_data as notifications
from coro.orgs import personal_data as orgs
from coro.program import personal_data as program
from coro.sharing import personal_data as sharing

SOURCES: list[ModuleType] = [
    accounts,
    orgs,
    identity,
    program,
    sharing,
    notifications,
    audit,
    content,
    connections,
    analytics,
    community,
]

# Models of the libraries Coro uses, which no app of Coro's speaks for.
LIBRARY_MODELS_WITH_NOTHING_PERSONAL: dict[type[Model], str] = {
    ContentType: "the names of Coro's models",
    DBTaskResult: "background tasks and their arguments: ids of rows, never names or addresses",
}


def personal_data_files() -> list[PersonalDataFile]:
    return [file for source in SOURCES for file in source.FILES]


def nothing_personal() -> dict[type[Model], str]:
    declared = dict(LIBRARY_MODELS_WITH_NOTHING_PERSONAL)
    for source in SOURCES:
        declared.update(getattr(source, "NOTHING_PERSONAL", {}))
    return declared


def erasers() -> list[Eraser]:
    """What each app removes before the account itself is deleted (the rest cascades or is
    kept anonymously, as each model's ``on_delete`` says)."""
    return [source.erase for source in SOURCES if hasattr(source, "erase")]


def models_unaccounted_for(
    models: Iterable[type[Model]],
    files: Iterable[PersonalDataFile],
    declared: Mapping[type[Model], str],
) -> list[type[Model]]:
    """Models that no file covers and that are not declared as holding nothing personal."""
    covered = {model for file in files for model in file.models}
    return [model for model in models if model not in covered and model not in declared]
