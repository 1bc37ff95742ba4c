"""Counts released again and again without the privacy loss piling up: the binary tree.

A team's participant count is published every period (weekly by default). Publishing it
with fresh noise each time would spend privacy at every release; instead the count is
treated as a stream of integer increments ``x_1 .. x_T`` (``T`` releases in a year, the
*horizon*; ``x_1`` is the whole count at the first release of the year, later ``x_t`` are
joins minus leaves) and released with the binary-tree mechanism (Dwork, Naor, Pitassi,
Rothblum 2010; Chan, Shi, Song 2011):

- Node ``(level, index)`` covers steps ``(index - 1) * 2**level + 1 .. index * 2**level``.
- The count at step ``t`` is the sum of the nodes of ``t``'s binary digits (its
  *decomposition*): 13 = 8 + 4 + 1 is nodes ``3:1`` (steps 1-8), ``2:3`` (9-12), ``0:13``.
- Only nodes with an odd index are ever part of a decomposition, and exactly one of them
  ends at each step (``nodes_completed_at``). Its noisy sum (true sum plus discrete Laplace
  noise) is drawn once, stored by the caller and never drawn again: asking again must give
  the same figure, or averaging repeated answers would wash the noise out.

Privacy, for adding or removing one person: each step lies in at most ``levels(T)``
released nodes, so a person whose increments add up to at most ``sensitivity`` in absolute
value (we clamp to a join and a leave a year: 2) changes each level's nodes by at most that
much in total. With noise of scale ``b`` on every node the whole year is
``sensitivity * levels / b``-DP (pure DP); one release alone is ``1 / b``-DP, since one
person moves a count by at most 1 and a sum of discrete Laplace noises is no easier to see
through than one of them. Both numbers come from OpenDP's own ``map``.

Accuracy is exact: the noise of a release is the sum of one independent discrete Laplace
per node of its decomposition, whose distribution we compute, not simulate.

Pure Python; the only dependency is OpenDP (``opendp~=0.16.0``), for the noise and for the
privacy arithmetic.
"""

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Self

import opendp.prelude as dp

Noise = Callable[[float], int]
"""A noise source: given a scale ``b``, one draw ``k`` with probability ∝ exp(-|k| / b)."""

_TAIL = 1e-16  # probability left out when summing a noise distribution


@dataclass(frozen=True, order=True)
class Node:
    """One node of the tree: ``2**level`` steps ending at step ``index * 2**level``."""

    level: int
    index: int

    def __post_init__(self) -> None:
        if self.level < 0 or self.index < 1:
            raise ValueError(f"no tree node has level {self.level} and index {self.index}")

    def __str__(self) -> str:
        return f"{self.level}:{self.index}"

    @classmethod
    def parse(cls, text: str) -> Self:
        """The node ``str(node)`` wrote, e.g. ``"2:3"``."""
        level, sep, index = text.partition(":")
        if not sep or not level.isdigit() or not index.isdigit():
            raise ValueError(f"not a tree node: {text!r}")
        return cls(int(level), int(index))

    def as_pair(self) -> tuple[int, int]:
        """``(level, index)``, for two integer columns; ``Node(*pair)`` reads it back."""
        return (self.level, self.index)


def _check_step(t: int) -> None:
    if t < 1:
        raise ValueError(f"steps start at 1, not {t}")


def levels(horizon: int) -> int:
    """How many levels of the tree can complete within ``horizon`` steps.

    This is the most released nodes any one step lies in (step 1 lies in one node per
    level), hence the factor in the privacy loss. 52 and 53 steps both give 6 levels,
    365 and 366 give 9, 12 gives 4.
    """
    _check_step(horizon)
    return horizon.bit_length()


def node_range(node: Node) -> range:
    """The steps a node covers."""
    size = 1 << node.level
    return range((node.index - 1) * size + 1, node.index * size + 1)


def decomposition(t: int) -> tuple[Node, ...]:
    """The nodes whose sums add up to steps 1..t, largest first; one per binary digit of t."""
    _check_step(t)
    return tuple(
        Node(level, t >> level) for level in reversed(range(t.bit_length())) if t >> level & 1
    )


def nodes_completed_at(t: int) -> tuple[Node, ...]:
    """The nodes to draw and store at step ``t``: always exactly one.

    Of the nodes ending at ``t``, only the one with an odd index (level = the number of
    trailing zero bits of ``t``) is used by any decomposition; the others are never needed,
    so they are never drawn.
    """
    _check_step(t)
    level = (t & -t).bit_length() - 1
    return (Node(level, t >> level),)


def noisy_sums_at(
    t: int, increments: Sequence[int], scale: float, noise: Noise | None = None
) -> dict[Node, int]:
    """The noisy sums of the nodes completed at ``t``, to store once and keep.

    ``increments[0]`` is ``x_1``. Call this once per step and store the result: calling it
    again draws new noise, which is exactly what must never be published.
    """
    draw = opendp_noise if noise is None else noise
    if len(increments) < t:
        raise ValueError(f"step {t} needs {t} increments, got {len(increments)}")
    sums = {}
    for node in nodes_completed_at(t):
        steps = node_range(node)
        sums[node] = sum(increments[steps.start - 1 : steps.stop - 1]) + draw(scale)
    return sums


def prefix_estimate(noisy_nodes: Mapping[Node, int], t: int) -> int:
    """The published count at step ``t``: the sum of the stored nodes of its decomposition.

    Pure post-processing of stored values: asking again gives the same answer and costs no
    privacy. The estimate may fall below 0 or above the group's size; clamping it for
    display is also free.
    """
    nodes = decomposition(t)
    missing = [str(node) for node in nodes if node not in noisy_nodes]
    if missing:
        raise KeyError(f"step {t} needs the stored nodes {', '.join(missing)}")
    return sum(noisy_nodes[node] for node in nodes)


# Noise -------------------------------------------------------------------------------


@cache
def _scalar_laplace(scale: float) -> dp.Measurement:
    dp.enable_features("contrib")
    return dp.m.make_laplace(dp.atom_domain(T=int), dp.absolute_distance(T=int), scale=scale)


@cache
def _vector_laplace(scale: float) -> dp.Measurement:
    dp.enable_features("contrib")
    domain = dp.vector_domain(dp.atom_domain(T=int))
    return dp.m.make_laplace(domain, dp.l1_distance(T=int), scale=scale)


def opendp_noise(scale: float) -> int:
    """One draw of OpenDP's discrete Laplace noise (``make_laplace`` on integers).

    OpenDP samples it exactly (Canonne, Kamath, Steinke 2020), from uniform random bits
    only, with no floating-point arithmetic that could leak the true value. In the 0.16.0
    wheel those bits come from OpenSSL's ``RAND_bytes`` (its CTR-DRBG, seeded by OpenSSL
    from the operating system; later OpenDP sources switch to the ``drbg`` crate's
    CTR-DRBG). OpenDP has no way to seed it, by design, so its draws cannot be reproduced:
    tests pass their own seeded ``Noise`` instead, which must never be used for published
    figures. About 0.2 ms a draw; values are 32-bit integers.
    """
    return int(_scalar_laplace(scale)(0))


# Privacy accounting ---------------------------------------------------------------------


def _loss(measurement: dp.Measurement, d_in: int) -> float:
    """OpenDP's privacy loss (ε) of ``measurement`` for inputs ``d_in`` apart."""
    # OpenDP 0.16 ships py.typed, but Measurement.map carries no annotations.
    return float(measurement.map(d_in))  # type: ignore[no-untyped-call]


def yearly_epsilon(scale: float, sensitivity: int, horizon: int) -> float:
    """ε over the whole horizon, for one person contributing at most ``sensitivity``.

    Computed by OpenDP: the released nodes of one level form a vector in which one person
    moves at most ``sensitivity`` in L1 distance (the level's nodes do not overlap), so each
    level is OpenDP's vector discrete Laplace at ``d_in = sensitivity``, and the ``levels``
    levels compose (``make_composition``).
    """
    per_level = _vector_laplace(scale)
    year = dp.c.make_composition([per_level] * levels(horizon))
    return _loss(year, sensitivity)


def release_epsilon(scale: float, sensitivity: int = 1) -> float:
    """ε of one release seen alone: OpenDP's loss for one node moved by ``sensitivity``.

    One person moves one published count by at most 1 (they are in or out at that step).
    A release is the true count plus a sum of independent discrete Laplace noises; each
    noise's probabilities change by at most a factor exp(1/b) when shifted by one, and so
    do those of the sum, so the release loses exactly what one node would.
    """
    return _loss(_scalar_laplace(scale), sensitivity)


def node_scale(epsilon_year: float, sensitivity: int, horizon: int) -> float:
    """The noise scale of every node for ``epsilon_year`` over the horizon.

    ``sensitivity * levels / epsilon_year``, nudged up by a few floating-point steps if
    need be, so that OpenDP's own (conservatively rounded) accounting confirms it.
    """
    if epsilon_year <= 0 or sensitivity < 1:
        raise ValueError("epsilon_year must be positive and sensitivity at least 1")
    scale = sensitivity * levels(horizon) / epsilon_year
    while yearly_epsilon(scale, sensitivity, horizon) > epsilon_year:
        scale = math.nextafter(scale, math.inf)
    return scale


# Accuracy -------------------------------------------------------------------------------


@cache
def _negative_binomial(scale: float, nodes: int) -> tuple[float, ...]:
    """P(A = n) for n = 0, 1, ..., A the sum of ``nodes`` geometric variables of ratio
    exp(-1/b), up to where the remaining mass is below 1e-16."""
    if scale <= 0 or nodes < 1:
        raise ValueError("need a positive scale and at least one node")
    log_alpha = -1.0 / scale
    log_start = nodes * math.log(-math.expm1(log_alpha))
    probabilities: list[float] = []
    n = 0
    while True:
        log_p = math.lgamma(n + nodes) - math.lgamma(nodes) - math.lgamma(n + 1)
        probabilities.append(math.exp(log_p + log_start + n * log_alpha))
        ratio = math.exp(log_alpha) * (n + nodes) / (n + 1)  # P(n + 1) / P(n), decreasing
        if ratio < 1 and probabilities[-1] * ratio / (1 - ratio) < _TAIL:
            return tuple(probabilities)
        n += 1


@lru_cache(maxsize=1 << 16)
def _noise_probability(scale: float, nodes: int, s: int) -> float:
    """P(S = s), S the sum of ``nodes`` independent discrete Laplace(b) noises.

    A discrete Laplace is the difference of two independent geometric variables, so S is
    A - B with A, B independent negative binomials, and P(S = s) = Σ_a P(B = a) P(A = a + s).
    """
    nb = _negative_binomial(scale, nodes)
    s = abs(s)
    return math.fsum(nb[a] * nb[a + s] for a in range(len(nb) - s)) if s < len(nb) else 0.0


def _smallest(reaches: Callable[[int], bool]) -> int:
    """The smallest k >= 0 with ``reaches(k)``, for a ``reaches`` that stays true after."""
    high = 1
    while not reaches(high):
        high *= 2
    low = 0
    while low < high:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    return high


def error_within(scale: float, nodes: int, k: int) -> float:
    """P(|estimate - truth| <= k) for a release whose decomposition has ``nodes`` nodes.

    Exact up to 1e-16 per value summed (the left-out tails), not simulated.
    """
    if k < 0:
        return 0.0
    tail = math.fsum(_noise_probability(scale, nodes, s) for s in range(1, k + 1))
    return min(1.0, _noise_probability(scale, nodes, 0) + 2 * tail)


def error_bound(scale: float, nodes: int, confidence: float = 0.9) -> int:
    """The smallest k with P(|estimate - truth| <= k) >= ``confidence``."""
    return _smallest(lambda k: error_within(scale, nodes, k) >= confidence)


def prefix_within(scale: float, t: int, k: int) -> float:
    """P(|estimate - truth| <= k) for the release at step ``t``."""
    return error_within(scale, len(decomposition(t)), k)


def worst_nodes(horizon: int) -> int:
    """The most nodes any release within the horizon adds up (the noisiest release)."""
    _check_step(horizon)
    return max(t.bit_count() for t in range(1, horizon + 1))


def year_within(scale: float, horizon: int, k: int) -> float:
    """The share of a year's releases (steps 1..horizon) expected within ±k of the truth."""
    _check_step(horizon)
    nodes = Counter(t.bit_count() for t in range(1, horizon + 1))
    return math.fsum(c * error_within(scale, m, k) for m, c in nodes.items()) / horizon


def year_error_bound(scale: float, horizon: int, confidence: float = 0.9) -> int:
    """The ±k that ``confidence`` of a year's releases stay within (the typical release)."""
    return _smallest(lambda k: year_within(scale, horizon, k) >= confidence)
