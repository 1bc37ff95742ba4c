from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Admins managing the organisation's people: invitations, teams, roles."""

    name = "coro.people"
    label = "people"
