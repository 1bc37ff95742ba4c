"""Network labels: brand names as they are, words translated where they show."""

from django.utils import translation
from django.utils.functional import Promise

from coro.networks import NETWORKS

WORDS = {"copy": "Copy text", "email": "E-mail"}


def test_labels_that_are_words_are_translated_when_shown(monkeypatch):
    for key, words in WORDS.items():
        label = NETWORKS[key].label
        assert isinstance(label, Promise), key
        with translation.override("en"):
            assert str(label) == words
    # Translated at the moment it shows: whatever the catalogue says then.
    monkeypatch.setattr(
        translation._trans,  # type: ignore[attr-defined]
        "gettext",
        lambda message: {"Copy text": "Copiar texto"}.get(message, message),
        raising=False,
    )
    assert str(NETWORKS["copy"].label) == "Copiar texto"
    assert f"{NETWORKS['copy'].label}" == "Copiar texto"


def test_brand_names_stay_as_they_are():
    for key, network in NETWORKS.items():
        if key not in WORDS:
            assert type(network.label) is str, key


def test_only_the_e_mail_takes_the_title_as_subject():
    assert [key for key, n in NETWORKS.items() if n.subject_from_title] == ["email"]


def test_a_few_networks_come_first_on_the_feed():
    featured = [key for key, n in NETWORKS.items() if n.featured]
    assert 2 <= len(featured) <= 5
    assert "copy" not in featured
