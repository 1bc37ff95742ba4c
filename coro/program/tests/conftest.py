"""Fixtures for the program tests: clients for the three people, a small ledger, and raw
SQL access to the ledger table (with PostgreSQL's append-only trigger switched off)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from coro.program import selectors, services
from coro.program.models import ConsentRecord, Terms

TABLE = ConsentRecord._meta.db_table
ON_POSTGRESQL = connection.vendor == "postgresql"
ONLY_POSTGRESQL = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="the append-only trigger exists only on PostgreSQL; on SQLite the ORM guard and "
    "the hash chain are tested instead",
)


@pytest.fixture
def admin_client(tenancy):
    return tenancy.client_for(tenancy.admin.user)


@pytest.fixture
def editor_client(tenancy):
    return tenancy.client_for(tenancy.editor.user)


@pytest.fixture
def employee_client(tenancy):
    return tenancy.client_for(tenancy.employee.user)


@pytest.fixture
def outsider_client(tenancy):
    return tenancy.client_for(tenancy.outsider.user)


def publish(tenancy, org=None, **texts) -> Terms:
    """Publish the next version with changed texts (by the organisation's admin)."""
    org = org or tenancy.org
    actor = tenancy.admin if org == tenancy.org else tenancy.outsider
    current = selectors.terms_current(org)
    n = current.version + 1 if current else 1
    fields = {
        "offer_es": f"Oferta v{n}",
        "offer_en": f"Offer v{n}",
        "commitment_es": f"Compromiso v{n}",
        "commitment_en": f"Commitment v{n}",
    }
    fields.update(texts)
    return services.terms_publish(organisation=org, actor=actor, **fields)


@pytest.fixture
def ledger(tenancy) -> list[ConsentRecord]:
    """Five records in the organisation, and two in the other one, in between.

    #1 employee joined v1, #2 editor joined v1, #3 employee accepted v2,
    #4 editor left (v1), #5 admin joined v2.
    """
    v1 = selectors.terms_current(tenancy.org)
    services.program_join(membership=tenancy.employee, terms=v1)
    services.program_join(membership=tenancy.editor, terms=v1)
    other_v1 = selectors.terms_current(tenancy.other_org)
    services.program_join(membership=tenancy.outsider, terms=other_v1)
    v2 = publish(tenancy)
    services.program_join(membership=tenancy.employee, terms=v2)
    services.program_leave(membership=tenancy.editor)
    services.program_leave(membership=tenancy.outsider)
    services.program_join(membership=tenancy.admin, terms=v2)
    return list(ConsentRecord.objects.filter(organisation=tenancy.org).order_by("seq"))


@contextmanager
def raw_ledger() -> Iterator:
    """A cursor that may UPDATE and DELETE ledger rows, as someone with database access could."""
    with connection.cursor() as cursor:
        if ON_POSTGRESQL:
            # Ordinary triggers do not fire for a "replica" session (this needs a superuser,
            # as the tests' database user is). LOCAL: it ends with the test's transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield cursor
        finally:
            if ON_POSTGRESQL:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
