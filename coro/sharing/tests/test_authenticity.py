"""Fill-in prompts and near-duplicates, on their own (the share screen's tests use them)."""

import pytest
from django.utils import translation

from coro.sharing.authenticity import (
    SEVERAL,
    normalised,
    prompts_message,
    several_shared_the_same,
    similar_colleagues,
    similar_shares,
    unfilled_prompts,
)

DISCLOSURE = "I work at Cerámicas Prueba"
SUGGESTION = "Our new Albufera collection is out: hand-glazed tiles inspired by the lake."


@pytest.mark.parametrize(
    ("text", "prompts"),
    [
        ("Nothing to fill in.", []),
        ("Look: [[why this matters to you]]", ["why this matters to you"]),
        ("[[ padded ]] and [[padded]]", ["padded"]),  # once each
        ("[[one]] then [[two]]", ["one", "two"]),
        ("[[]] empty", ["…"]),
        ("[single] brackets and [[unclosed", []),
        ("Line\n[[across\nlines]]", ["across\nlines"]),
    ],
)
def test_unfilled_prompts(text, prompts):
    assert unfilled_prompts(text) == prompts


def test_the_prompt_message_names_each_prompt():
    with translation.override("en"):
        assert prompts_message(["why this matters to you"]) == (
            "Fill in “why this matters to you” in your own words before sharing."
        )
    # In every language, each prompt is named.
    assert "“a”, “b”" in prompts_message(["a", "b"])


def test_normalised_drops_case_links_disclosure_and_punctuation():
    text = f"  NEW tiles!\n\nhttps://coro.es/r/abc234   {DISCLOSURE}"
    assert normalised(text, [DISCLOSURE]) == "new tiles"


def test_the_same_words_with_another_link_case_spacing_or_disclosure_are_similar():
    others = [
        SUGGESTION.upper() + "\n\nhttps://coro.es/r/zzz999",
        SUGGESTION.replace(" ", "   ") + "\n\nTrabajo en Cerámicas Prueba",
        SUGGESTION.replace("new", "latest"),  # one word changed: still almost the same
    ]
    ignore = [DISCLOSURE, "Trabajo en Cerámicas Prueba"]
    assert similar_shares(SUGGESTION + "\n\n" + DISCLOSURE, others, ignore) == 3


def test_own_words_are_not_similar():
    mine = "I helped glaze these tiles myself, three weeks of work. Proud of the team!"
    assert similar_shares(mine, [SUGGESTION]) == 0
    # A sentence of one's own added to the suggestion is enough.
    longer = SUGGESTION + " I spent the spring on the blue glaze and love how it turned out."
    assert similar_shares(longer, [SUGGESTION]) == 0


def test_a_text_without_words_of_its_own_is_like_nothing():
    assert similar_shares(DISCLOSURE, [DISCLOSURE, ""], [DISCLOSURE]) == 0
    assert similar_shares("https://coro.es/r/a", ["https://coro.es/r/b"]) == 0


def test_colleagues_count_once_whatever_networks_they_shared_on():
    colleague = [SUGGESTION, SUGGESTION + "!"]
    assert similar_colleagues(SUGGESTION, [colleague]) == 1
    assert not several_shared_the_same(SUGGESTION, [colleague])
    assert SEVERAL == 2
    assert several_shared_the_same(SUGGESTION, [colleague, [SUGGESTION]])
    assert not several_shared_the_same(SUGGESTION, [colleague, ["Something else entirely."]])
