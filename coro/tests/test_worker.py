"""`coro worker` runs what the web process enqueued, through the database backend."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from coro.orgs.models import Role
from coro.orgs.services import invitation_create


@pytest.fixture
def database_tasks(settings):
    # django-tasks resets its backends when the TASKS setting changes (and back).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


# A real transaction: the worker closes its database connection when its batch ends.
@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_the_worker(tenancy, database_tasks):
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        invitation_create(
            organisation=tenancy.org,
            email="nueva@example.com",
            role=Role.EMPLOYEE,
            team=None,
            invited_by=tenancy.admin.user,
        )
    assert mail.outbox == []  # enqueued after commit, not sent inline
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-reload", verbosity=0)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nueva@example.com"]
    assert "/invite/" in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_cli_worker_catches_up_then_runs_db_worker(monkeypatch):
    from coro import cli

    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    cli.main(["worker", "--batch"])
    assert seen == [
        ["coro", "notifications_release"],
        ["coro", "releases"],
        ["coro", "periodic"],
        ["coro", "db_worker", "--batch"],
    ]


def test_cli_passes_other_commands_to_django(monkeypatch):
    from coro import cli

    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    cli.main(["ledger", "verify"])
    assert seen == [["coro", "ledger", "verify"]]
