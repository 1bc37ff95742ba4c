"""The group-size rule: numbers only about groups of at least ``min_size`` people."""

import itertools
import random

from coro.analytics.groups import Group, merge_small_groups


def g(name: str, size: int, participants: int = 0, clicks: int = 0) -> Group:
    return Group(name=name, size=size, participants=participants, clicks=clicks)


def names(groups: list[Group]) -> list[str]:
    return [group.name for group in groups]


def test_big_groups_are_shown_as_they_are():
    groups = [g("Ventas", 5, 2, 10), g("Taller", 8, 1, 3)]
    assert merge_small_groups(groups, 5) == groups


def test_small_groups_merge_into_other():
    groups = [g("Ventas", 6, 3, 10), g("Diseño", 3, 1, 4), g("Legal", 2, 2, 7)]
    result = merge_small_groups(groups, 5, other_name="Otros")
    assert names(result) == ["Ventas", "Otros"]
    other = result[-1]
    assert (other.size, other.participants, other.clicks, other.is_other) == (5, 3, 11, True)


def test_a_lone_small_group_takes_the_smallest_big_group_with_it():
    """Complementary disclosure: showing everything but the one small group would give its
    numbers away as the total minus the groups shown."""
    groups = [g("Ventas", 9, 4), g("Taller", 6, 3), g("Legal", 2, 2)]
    result = merge_small_groups(groups, 5)
    assert names(result) == ["Ventas", "other"]
    assert (result[-1].size, result[-1].participants) == (8, 5)
    # Legal's 2 of 2 cannot be worked out from what is shown.
    total = sum(x.participants for x in groups)
    shown = sum(x.participants for x in result if not x.is_other)
    assert total - shown == 5


def test_small_groups_too_few_together_take_a_big_group_with_them():
    groups = [g("A", 1), g("B", 2), g("C", 5), g("D", 6), g("E", 10)]
    result = merge_small_groups(groups, 5)
    assert names(result) == ["D", "E", "other"]
    assert result[-1].size == 8


def test_small_groups_big_enough_together_are_other_alone():
    groups = [g("A", 1), g("B", 2), g("C", 3), g("D", 6)]
    result = merge_small_groups(groups, 5)
    assert names(result) == ["D", "other"]
    assert result[-1].size == 6


def test_merging_takes_the_smallest_big_group_first():
    groups = [g("Grande", 20), g("Mediano", 7), g("Justo", 5), g("Solo", 1)]
    assert names(merge_small_groups(groups, 5)) == ["Grande", "Mediano", "other"]
    assert merge_small_groups(groups, 5)[-1].size == 6


def test_ties_are_broken_by_name_so_the_result_is_stable():
    groups = [g("Zeta", 5), g("Alfa", 5), g("Solo", 1)]
    assert names(merge_small_groups(groups, 5)) == ["Zeta", "other"]


def test_when_everything_is_small_everything_is_other():
    groups = [g("A", 2, 1), g("B", 2, 0), g("C", 2, 2)]
    [other] = merge_small_groups(groups, 5)
    assert (other.name, other.size, other.participants) == ("other", 6, 3)


def test_an_organisation_smaller_than_the_minimum_shows_nothing():
    assert merge_small_groups([g("A", 2), g("B", 2)], 5) == []
    assert merge_small_groups([g("A", 4)], 5) == []
    assert merge_small_groups([], 5) == []


def test_empty_groups_are_left_out():
    groups = [g("Vacío", 0), g("Ventas", 5), g("Taller", 5)]
    assert names(merge_small_groups(groups, 5)) == ["Ventas", "Taller"]


def test_exactly_the_minimum_is_shown():
    assert names(merge_small_groups([g("A", 3), g("B", 3)], 3)) == ["A", "B"]


def test_participation_percent():
    assert g("A", 8, 2).participation_percent == 25
    assert g("A", 3, 2).participation_percent == 67
    assert g("A", 0).participation_percent is None


def _check_invariants(groups: list[Group], min_size: int) -> None:
    result = merge_small_groups(groups, min_size)
    total = sum(x.size for x in groups)
    if total < min_size:
        assert result == []
        return
    # Every group shown, "other" included, has at least min_size people.
    assert all(x.size >= min_size for x in result)
    # Nothing is lost: the numbers add up to the totals.
    assert sum(x.size for x in result) == total
    assert sum(x.participants for x in result) == sum(x.participants for x in groups)
    # A group is shown on its own only if big enough, and with its own numbers.
    by_name = {x.name: x for x in groups}
    for shown in result:
        if not shown.is_other:
            assert shown == by_name[shown.name]
    # "other" is never exactly one original small group: no small group can be isolated.
    others = [x for x in result if x.is_other]
    assert len(others) <= 1
    hidden = [x for x in groups if x.size > 0 and x.name not in names(result)]
    if others:
        assert sum(x.size for x in hidden) == others[0].size >= min_size
    assert not any(0 < x.size < min_size for x in groups if x.name in names(result))


def test_invariants_hold_for_random_organisations():
    rng = random.Random(2026)
    for _ in range(2000):
        min_size = rng.randint(3, 8)
        groups = []
        for index in range(rng.randint(0, 9)):
            size = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 40])
            groups.append(g(f"T{index}", size, rng.randint(0, size), rng.randint(0, 50)))
        _check_invariants(groups, min_size)


def test_merging_depends_only_on_sizes_never_on_the_numbers():
    """Which groups are merged must say nothing about participation: only sizes decide."""
    sizes = [("A", 2), ("B", 6), ("C", 5), ("D", 12)]
    layouts = set()
    for participants in itertools.product(range(3), repeat=4):
        groups = [
            g(name, size, min(p, size)) for (name, size), p in zip(sizes, participants, strict=True)
        ]
        layouts.add(tuple(names(merge_small_groups(groups, 5))))
    assert layouts == {("B", "D", "other")}
