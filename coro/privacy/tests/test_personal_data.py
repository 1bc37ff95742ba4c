"""Every model either gives its rows about a person to "Download my data", or is declared as
holding nothing personal, with the reason; a new model that does neither fails here."""

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models

from coro.accounts.models import User
from coro.orgs.models import Membership
from coro.privacy import personal_data
from coro.sharing.models import Click, Share


def test_every_model_is_in_the_download_or_declared_as_holding_nothing_personal():
    unaccounted = personal_data.models_unaccounted_for(
        apps.get_models(), personal_data.personal_data_files(), personal_data.nothing_personal()
    )
    assert unaccounted == []


def test_the_walk_catches_a_model_left_out():
    """Without the sharing app's files, its two models are named: the check above can fail."""
    files = [
        f
        for f in personal_data.personal_data_files()
        if f.name not in {"shares.json", "clicks.json"}
    ]
    unaccounted = personal_data.models_unaccounted_for(
        apps.get_models(), files, personal_data.nothing_personal()
    )
    assert unaccounted == [Share, Click]


def test_no_model_is_both_in_the_download_and_declared_empty():
    covered = {m for f in personal_data.personal_data_files() for m in f.models}
    assert covered.isdisjoint(personal_data.nothing_personal())


def _points_at_a_person(model: type[models.Model]) -> bool:
    for field in model._meta.get_fields():
        if isinstance(field, models.EmailField):
            return True
        if field.is_relation and field.concrete and field.related_model in (User, Membership):
            return True
    return False


def test_declared_models_have_no_link_to_a_person():
    """A model with an e-mail address or a link to a person cannot be declared empty."""
    suspicious = [m for m in personal_data.nothing_personal() if _points_at_a_person(m)]
    assert suspicious == []
    assert _points_at_a_person(Share)  # the check recognises a link when there is one
    assert not _points_at_a_person(Group)


def test_file_names_are_unique():
    names = [f.name for f in personal_data.personal_data_files()]
    assert len(names) == len(set(names))
