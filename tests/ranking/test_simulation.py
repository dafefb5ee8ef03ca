"""Screening simulation: metrics on a hand-worked order, priors, and no label leaks."""

from __future__ import annotations

import random

import numpy as np
import pytest

from peerlit_tui.services import simulation
from peerlit_tui.services.simulation import LabelOracle, metrics, simulate, simulate_random


def test_metrics_of_a_hand_worked_order() -> None:
    # 20 records, 4 inclusions, screened at positions 1, 3, 6 and 11 (priors first).
    order = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1] + [0] * 9
    m = metrics([bool(x) for x in order], 20)
    # ⌈0.95 × 4⌉ = 4 inclusions are needed for 95 %: the 4th comes at record 11.
    assert m.screened_to_95 == 11
    assert m.screened_to_100 == 11
    assert m.wss95 == pytest.approx((20 - 11) / 20 - 0.05)  # 0.40
    assert m.recall_at_10pct == pytest.approx(1 / 4)  # first 2 records hold 1
    assert m.recall_at_20pct == pytest.approx(2 / 4)  # first 4 records hold 2
    assert (m.records, m.inclusions) == (20, 4)


def test_ninety_five_percent_needs_the_ceiling_not_all() -> None:
    # 20 inclusions: 95 % is 19, so the 20th (found last) does not count for WSS@95.
    labels = [True] * 19 + [False] * 80 + [True]
    m = metrics(labels, 100)
    assert m.screened_to_95 == 19
    assert m.screened_to_100 == 100
    assert m.wss95 == pytest.approx((100 - 19) / 100 - 0.05)


def test_an_order_that_stops_at_the_last_inclusion_counts_the_rest_as_unread() -> None:
    m = metrics([True, False, True], 10)
    assert m.screened_to_100 == 3
    assert m.recall_at_10pct == pytest.approx(0.5)
    assert m.recall_at_20pct == pytest.approx(0.5)


def test_metrics_refuse_a_review_without_inclusions() -> None:
    with pytest.raises(ValueError):
        metrics([False, False], 2)


def test_priors_are_one_inclusion_and_one_exclusion_drawn_like_asreview() -> None:
    labels = [i % 7 == 0 for i in range(70)]
    oracle = LabelOracle(labels)
    inc, exc = oracle.priors(3)
    assert labels[inc] and not labels[exc]
    included = np.flatnonzero(labels)
    assert inc == int(np.random.RandomState(3).choice(included, 1)[0])
    assert oracle.priors(3) == (inc, exc)
    assert oracle.revealed == []  # drawing priors reveals nothing


def _noise_texts(n: int, seed: int, words: int = 30) -> list[str]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(300)]
    return [" ".join(rng.choices(vocab, k=words)) for _ in range(n)]


def test_labels_only_the_oracle_knows_are_not_used() -> None:
    # Text carries no signal: a correct engine can only do about as well as random.
    # An engine that trained on labels of records not yet screened (or read them
    # any other way) would put the 30 inclusions first: recall@10 % near 1.
    rng = random.Random(5)
    labels = [False] * 270 + [True] * 30
    rng.shuffle(labels)
    result = simulate(
        _noise_texts(300, 7, words=5), LabelOracle(labels), seed=1, stop_at_last=False
    )
    assert result.metrics.recall_at_10pct < 0.5
    assert result.metrics.wss95 < 0.3


def test_a_leaking_feature_is_found_when_it_is_in_the_text() -> None:
    # The same review with the label written into every record's text: the engine
    # finds the inclusions at once. So the test above would catch an engine that
    # gets at labels: they are worth a lot when reachable.
    rng = random.Random(5)
    labels = [False] * 270 + [True] * 30
    rng.shuffle(labels)
    texts = [
        t + (" labelincluded" * 3 if label else " labelexcluded" * 3)
        for t, label in zip(_noise_texts(300, 7, words=5), labels, strict=True)
    ]
    result = simulate(texts, LabelOracle(labels), seed=1)
    assert result.metrics.recall_at_10pct >= 0.9


def test_each_fit_sees_only_the_labels_revealed_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(9)
    labels = [rng.random() < 0.15 for _ in range(200)]
    texts = [
        ("alpha beta " if label and rng.random() < 0.7 else "gamma delta ") + t
        for t, label in zip(_noise_texts(200, 3), labels, strict=True)
    ]
    oracle = LabelOracle(labels)
    real = simulation.train_and_score
    fits: list[tuple[list[int], list[bool], list[int]]] = []

    def spy(features, train_rows, train_labels, config):  # type: ignore[no-untyped-def]
        fits.append((list(train_rows), list(train_labels), list(oracle.revealed)))
        return real(features, train_rows, train_labels, config)

    monkeypatch.setattr(simulation, "train_and_score", spy)
    result = simulate(texts, oracle, seed=2)
    assert oracle.revealed == result.order  # each label handed out once, when screened
    assert len(fits) == result.retrains > 1
    for rows, fit_labels, revealed in fits:
        assert rows == revealed  # trained on exactly what had been screened
        assert fit_labels == [labels[r] for r in rows]


def test_random_baseline_is_near_zero_work_saved() -> None:
    labels = [i % 10 == 0 for i in range(1000)]
    m = simulate_random(labels, seed=1, repeats=20)
    assert abs(m.wss95) < 0.1
