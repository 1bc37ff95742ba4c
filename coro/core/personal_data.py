"""What each app holds about a person: the files of "Download my data", and what it erases.

Every app whose models hold something about a person has a ``personal_data.py`` with:

- ``FILES``: the files it contributes to the download, each naming the models it covers;
- ``NOTHING_PERSONAL``: its models that hold nothing about a person, each with the reason;
- optionally ``erase(user)``: what it removes before the account itself is deleted.

``coro/privacy/personal_data.py`` lists these modules in one place. A test walks every
model and fails on one that is neither in a file nor declared as holding nothing personal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from django.utils.functional import Promise


@dataclass(frozen=True)
class PersonalDataFile:
    """One file of the download: ``collect(user)`` gives its JSON content; ``description``
    is its line in the download's README."""

    name: str
    models: tuple[type[Model], ...]
    collect: Callable[[Any], Any]
    description: str | Promise


Eraser = Callable[[AbstractBaseUser], None]
