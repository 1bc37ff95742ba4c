"""``coro setup_token``: while no organisation exists, issue the one-time token that opens
``/setup/`` and print it (``coro serve`` runs this as it starts)."""

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.urls import reverse

from coro.site import services
from coro.site.setup_token import setup_token_issue, setup_token_revoke

logger = logging.getLogger("coro.setup")


class Command(BaseCommand):
    help = (
        "While no organisation exists, issue a one-time token for the web setup (/setup/) "
        "and print it; a new token replaces the previous one. Does nothing once set up."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            migrated = "orgs_organisation" in connection.introspection.table_names()
            exists = migrated and services.organisation_exists()
        except DatabaseError as exc:
            logger.warning("No setup token: the database cannot be reached (%s).", exc)
            return
        if not migrated:
            logger.warning("No setup token: the database has no tables yet; run “coro migrate”.")
            return
        if exists:
            setup_token_revoke()
            return
        token = setup_token_issue()
        url = settings.BASE_URL + reverse("site:setup")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Coro has no organisation yet. Set it up at",
                    f"  {url}",
                    "with this one-time setup token (or run “coro setup” on the server):",
                    f"  {token}",
                    "",
                ]
            )
        )
        logger.warning("Coro is not set up yet: open %s with the setup token %s", url, token)
