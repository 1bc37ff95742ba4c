"""The binary-tree mechanism for counts released every period: shape, privacy, accuracy.

No database. Randomness comes from seeded sources, so every run sees the same draws;
the statistical checks allow 4 binomial standard errors (a false alarm about once in
15,000 seeds) and were checked to pass with margin for the seeds used here.
"""

import math
import random

import opendp.prelude as dp
import pytest

from coro.analytics import continual
from coro.analytics.continual import Node, Noise

HORIZONS = [1, 2, 3, 12, 52, 53, 365, 366]
SIGMAS = 4  # the tolerance of every simulation, in binomial standard errors


def seeded_noise(seed: int) -> Noise:
    """Discrete Laplace draws from a seeded Mersenne Twister: for tests only.

    The difference of two geometric variables of ratio exp(-1/b) (P(G >= n) = exp(-n/b))
    is a discrete Laplace of scale b. Floating-point sampling like this is fine for tests
    but would leak through its rounding in production; that is why production uses OpenDP.
    """
    rng = random.Random(seed)

    def draw(scale: float) -> int:
        def geometric() -> int:
            return math.floor(math.log(1.0 - rng.random()) * -scale)

        return geometric() - geometric()

    return draw


def tolerance(p: float, runs: int) -> float:
    return SIGMAS * math.sqrt(p * (1 - p) / runs)


def node_range_end(node: Node) -> int:
    return continual.node_range(node)[-1]


def store_year(increments: list[int], scale: float, noise: Noise) -> dict[Node, int]:
    stored: dict[Node, int] = {}
    for t in range(1, len(increments) + 1):
        stored |= continual.noisy_sums_at(t, increments, scale, noise)
    return stored


# The tree ------------------------------------------------------------------------------


def test_nodes_are_stored_as_short_strings_or_pairs():
    node = Node(3, 5)
    assert str(node) == "3:5"
    assert Node.parse("3:5") == node
    assert Node(*node.as_pair()) == node
    assert continual.node_range(node) == range(33, 41)
    for text in ["3", "3:", ":5", "a:1", "3:-1", "-1:3", "3:0", " 3:5"]:
        with pytest.raises(ValueError):
            Node.parse(text)


@pytest.mark.parametrize("horizon", HORIZONS)
def test_each_decomposition_covers_the_prefix_exactly_with_at_most_levels_nodes(horizon):
    for t in range(1, horizon + 1):
        nodes = continual.decomposition(t)
        steps = [step for node in nodes for step in continual.node_range(node)]
        assert steps == list(range(1, t + 1))
        assert len(nodes) <= continual.levels(horizon)
    assert max(len(continual.decomposition(t)) for t in range(1, horizon + 1)) == (
        continual.worst_nodes(horizon)
    )


@pytest.mark.parametrize("horizon", HORIZONS)
def test_every_step_lies_in_exactly_levels_nodes(horizon):
    """In the whole dyadic tree (one node per level around each step), and at most that
    many of the nodes actually released: the factor in the yearly privacy loss."""
    depth = continual.levels(horizon)
    tree = [
        Node(level, index)
        for level in range(depth)
        for index in range(1, math.ceil(horizon / 2**level) + 1)
    ]
    released = [node for t in range(1, horizon + 1) for node in continual.nodes_completed_at(t)]
    for step in range(1, horizon + 1):
        assert sum(step in continual.node_range(node) for node in tree) == depth
        assert sum(step in continual.node_range(node) for node in released) <= depth
    assert sum(1 in continual.node_range(node) for node in released) == depth


@pytest.mark.parametrize("horizon", HORIZONS)
def test_one_node_completes_each_step_and_decompositions_use_only_completed_nodes(horizon):
    completed: set[Node] = set()
    for t in range(1, horizon + 1):
        (node,) = continual.nodes_completed_at(t)
        assert continual.node_range(node)[-1] == t
        assert node not in completed
        completed.add(node)
        assert set(continual.decomposition(t)) <= completed
        assert continual.decomposition(t)[-1] == node


def test_steps_start_at_one():
    for call in [continual.decomposition, continual.nodes_completed_at, continual.levels]:
        with pytest.raises(ValueError):
            call(0)


@pytest.mark.parametrize("horizon", [12, 52, 365])
def test_without_noise_the_estimate_is_the_true_count(horizon):
    rng = random.Random(horizon)
    increments = [rng.randint(0, 10)] + [rng.randint(-2, 2) for _ in range(horizon - 1)]
    stored = store_year(increments, 1.0, lambda scale: 0)
    assert len(stored) == horizon
    for t in range(1, horizon + 1):
        assert continual.prefix_estimate(stored, t) == sum(increments[:t])


def test_a_release_asked_again_is_the_same_release():
    increments = [7, 1, 0, -1, 0, 2, 0, 0, -1, 0, 0, 0, 1]
    stored = store_year(increments, 3.0, seeded_noise(1))
    first = [continual.prefix_estimate(stored, t) for t in range(1, 14)]
    assert [continual.prefix_estimate(stored, t) for t in range(1, 14)] == first
    # Kept as strings (a JSON object, say) and read back, it is still the same.
    kept = {str(node): value for node, value in stored.items()}
    reread = {Node.parse(text): value for text, value in kept.items()}
    assert [continual.prefix_estimate(reread, t) for t in range(1, 14)] == first
    # Drawing again is what must not happen: it gives another figure.
    redrawn = store_year(increments, 3.0, seeded_noise(2))
    assert [continual.prefix_estimate(redrawn, t) for t in range(1, 14)] != first


def test_an_estimate_needs_every_node_of_its_decomposition():
    stored = store_year([3, 0, 0, 0, 0], 1.0, lambda scale: 0)
    del stored[Node(2, 1)]
    assert continual.prefix_estimate(stored, 3) == 3
    with pytest.raises(KeyError, match="2:1"):
        continual.prefix_estimate(stored, 5)
    with pytest.raises(ValueError):
        continual.noisy_sums_at(6, [3, 0, 0, 0, 0], 1.0)


def test_opendp_noise_is_integer_discrete_laplace():
    draws = [continual.opendp_noise(2.0) for _ in range(1000)]
    assert all(isinstance(draw, int) for draw in draws)
    zero = continual.error_within(2.0, 1, 0)  # P(0) = (1 - e^-1/2) / (1 + e^-1/2)
    share = draws.count(0) / len(draws)
    assert abs(share - zero) <= tolerance(zero, len(draws))


# Privacy accounting ----------------------------------------------------------------------


@pytest.mark.parametrize("horizon", [12, 52, 53, 365])
@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0, 4.0, 8.0])
def test_the_accounting_is_opendps(horizon, epsilon):
    depth = continual.levels(horizon)
    scale = continual.node_scale(epsilon, 2, horizon)
    assert scale == pytest.approx(2 * depth / epsilon, rel=1e-12)
    year = continual.yearly_epsilon(scale, 2, horizon)
    assert year <= epsilon
    assert year == pytest.approx(epsilon, rel=1e-12)
    # The same from one node's loss, straight from OpenDP, times the levels.
    dp.enable_features("contrib")
    node = dp.m.make_laplace(dp.atom_domain(T=int), dp.absolute_distance(T=int), scale=scale)
    assert year == pytest.approx(depth * node.map(2), rel=1e-12)
    # One release alone: one person moves one published count by at most 1.
    assert continual.release_epsilon(scale) == node.map(1)
    assert continual.release_epsilon(scale) == pytest.approx(1 / scale, rel=1e-12)
    assert continual.release_epsilon(scale) == pytest.approx(epsilon / (2 * depth), rel=1e-12)


@pytest.mark.parametrize("scale", [0.7, 1.5, 3.0])
@pytest.mark.parametrize("nodes", [1, 2, 3, 6, 9])
def test_a_sum_of_node_noises_loses_no_more_than_one_node(scale, nodes):
    """The single-release claim: P(S = s) / P(S = s + 1) stays within exp(1/b)."""
    bound = continual.release_epsilon(scale)
    reach = continual.error_bound(scale, nodes, 0.999)
    probabilities = [continual.error_within(scale, nodes, 0)] + [
        (continual.error_within(scale, nodes, s) - continual.error_within(scale, nodes, s - 1)) / 2
        for s in range(1, reach + 1)
    ]
    for s in range(reach):
        loss = math.log(probabilities[s] / probabilities[s + 1])
        assert -1e-9 <= loss <= bound + 1e-9
    if nodes == 1:  # one node meets the bound exactly
        assert math.log(probabilities[0] / probabilities[1]) == pytest.approx(bound, rel=1e-6)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        continual.node_scale(0, 2, 52)
    with pytest.raises(ValueError):
        continual.node_scale(1, 0, 52)
    with pytest.raises(ValueError):
        continual.error_within(0.0, 1, 1)
    with pytest.raises(ValueError):
        Node(-1, 1)


# Accuracy --------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0, 12.0])
@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.99])
def test_one_node_agrees_with_opendps_accuracy(scale, confidence):
    accuracy = dp.discrete_laplacian_scale_to_accuracy(scale, 1 - confidence)
    assert continual.error_bound(scale, 1, confidence) == math.floor(accuracy)


@pytest.mark.parametrize(("scale", "nodes"), [(0.5, 1), (3.0, 4), (18.0, 8)])
def test_the_noise_distribution_is_complete(scale, nodes):
    """All the mass is there, and the variance is nodes * 2a / (1 - a)^2, a = e^(-1/b)."""
    far = continual.error_bound(scale, nodes, 1 - 1e-12)
    assert continual.error_within(scale, nodes, far) == pytest.approx(1, abs=1e-12)
    cumulative = [continual.error_within(scale, nodes, k) for k in range(far + 1)]
    variance = 2 * math.fsum(
        k * k * (cumulative[k] - cumulative[k - 1]) / 2 for k in range(1, far + 1)
    )
    alpha = math.exp(-1 / scale)
    assert variance == pytest.approx(nodes * 2 * alpha / (1 - alpha) ** 2, rel=1e-6)


@pytest.mark.parametrize("t", [1, 6, 7, 31])
def test_exact_accuracy_agrees_with_simulation(t):
    scale, runs = 3.0, 20_000
    nodes = continual.decomposition(t)
    noise = seeded_noise(t)
    errors = [abs(sum(noise(scale) for _ in nodes)) for _ in range(runs)]
    for confidence in [0.5, 0.9]:
        k = continual.error_bound(scale, len(nodes), confidence)
        exact = continual.prefix_within(scale, t, k)
        assert exact >= confidence > continual.prefix_within(scale, t, k - 1)
        simulated = sum(error <= k for error in errors) / runs
        assert abs(simulated - exact) <= tolerance(exact, runs)


def test_the_year_figure_is_the_share_of_releases_within_k():
    scale, horizon = 6.0, 52
    for k in [0, 5, 20, 40]:
        average = sum(continual.prefix_within(scale, t, k) for t in range(1, horizon + 1))
        assert continual.year_within(scale, horizon, k) == pytest.approx(average / horizon)
    k = continual.year_error_bound(scale, horizon)
    assert (
        continual.year_within(scale, horizon, k)
        >= 0.9
        > continual.year_within(scale, horizon, k - 1)
    )
    worst = continual.error_bound(scale, continual.worst_nodes(horizon))
    assert continual.error_bound(scale, 1) <= k <= worst


# An attacker ----------------------------------------------------------------------------


def guess_rate(epsilon_year: float, t: int, runs: int = 20_000) -> tuple[float, float]:
    """A team of five: the attacker knows the 4 colleagues all take part and sees the
    release at step t. They guess that the target takes part if it shows 5 or more.

    Returns the share of right guesses and its exact expectation, (1 + P(noise = 0)) / 2.
    The target is in half the runs; each run is a new year with its own seed.
    """
    scale = continual.node_scale(epsilon_year, 2, 52)
    right = 0
    for run in range(runs):
        joined = run % 2
        increments = [4 + joined] + [0] * (t - 1)
        noise = seeded_noise(10_000 + run)
        stored: dict[Node, int] = {}
        for node in continual.decomposition(t):  # the nodes this release adds up
            stored |= continual.noisy_sums_at(node_range_end(node), increments, scale, noise)
        guess = int(continual.prefix_estimate(stored, t) >= 5)
        right += guess == joined
    expected = (1 + continual.error_within(scale, len(continual.decomposition(t)), 0)) / 2
    return right / runs, expected


@pytest.mark.parametrize("epsilon_year", [1.0, 8.0])
@pytest.mark.parametrize("t", [1, 7])
def test_one_release_tells_an_attacker_no_more_than_its_epsilon_allows(epsilon_year, t):
    runs = 20_000
    rate, expected = guess_rate(epsilon_year, t, runs)
    epsilon_1 = continual.release_epsilon(continual.node_scale(epsilon_year, 2, 52))
    bound = math.exp(epsilon_1) / (1 + math.exp(epsilon_1))
    # The guarantee, and the attacker reaching exactly what the noise allows.
    assert expected <= bound + 1e-12
    assert abs(rate - expected) <= tolerance(expected, runs)
    assert rate <= bound + tolerance(bound, runs)
    if t == 1:  # one node: thresholding is the best test, and it meets the bound
        assert expected == pytest.approx(bound, rel=1e-12)
    if epsilon_year == 8.0:  # a big ε is visible: clearly better than a coin
        assert rate > 0.5 + 10 * tolerance(0.5, runs) / SIGMAS


def test_the_whole_year_tells_an_attacker_more_but_within_the_yearly_epsilon():
    """Seeing every release of a weekly year: the nodes holding step 1 (one per level) all
    carry the target; a majority vote over them (the likelihood-ratio test for discrete
    Laplace noise) beats one release, but stays within what ε_year allows."""
    epsilon_year, runs = 2.0, 20_000
    scale = continual.node_scale(epsilon_year, 2, 52)
    depth = continual.levels(52)
    right = 0
    for run in range(runs):
        joined = run % 2
        increments = [4 + joined] + [0] * 31
        noise = seeded_noise(50_000 + run)
        votes = 0
        for level in range(depth):  # the other nodes carry nothing about the target
            (value,) = continual.noisy_sums_at(2**level, increments, scale, noise).values()
            votes += 1 if value >= 5 else -1
        guess = int(votes > 0) if votes else run // 2 % 2  # a tie: a fair coin
        right += guess == joined
    rate = right / runs
    single = math.exp(1 / scale) / (1 + math.exp(1 / scale))
    yearly = math.exp(epsilon_year) / (1 + math.exp(epsilon_year))
    assert rate > single + tolerance(single, runs)
    assert rate <= yearly + tolerance(yearly, runs)
    # Tighter for this target, who adds 1 (not 2) to one node per level.
    tight = math.exp(depth / scale) / (1 + math.exp(depth / scale))
    assert rate <= tight + tolerance(tight, runs)
