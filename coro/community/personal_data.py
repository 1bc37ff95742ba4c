"""What the community app holds about a person (see coro/core/personal_data.py).

Nothing: goals belong to a team or the whole company, never to a person, and the thank-you
board is read from posts and shares (their own apps declare those) each time it is shown.
"""

from django.db.models import Model

from coro.community.models import Goal
from coro.core.personal_data import PersonalDataFile

FILES: list[PersonalDataFile] = []

NOTHING_PERSONAL: dict[type[Model], str] = {
    Goal: "a collective goal of a team or the whole company: a title, a target and dates",
}
