"""A small run of the dedup bench on labelled sets from the shared corpus (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.dedup_bench import (
    Score,
    cross_exports,
    evaluate,
    hard_cases,
    kitchenham_nagtegaal,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

pytestmark = pytest.mark.skipif(
    not (SHARED / "synergy_scale" / "originals" / "Kitchenham_2010.csv.gz").exists(),
    reason="shared corpus (../shared/data) not present",
)


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Score]]:
    sets = [kitchenham_nagtegaal(SHARED, limit=150), cross_exports(SHARED), hard_cases(SHARED, 48)]
    return evaluate(sets)


def test_the_new_identity_meets_the_goals(results: dict[str, dict[str, Score]]) -> None:
    new = results["all"]["new"]
    assert new.false_merge_pairs == 0
    assert new.specificity >= 0.99
    assert new.sensitivity >= 0.95
    # Every labelled duplicate pair of the two SYNERGY sets is found.
    assert results["kitchenham+nagtegaal"]["new"].sensitivity == 1.0


def test_the_exact_key_identity_hides_papers_behind_shared_dois(
    results: dict[str, dict[str, Score]],
) -> None:
    old, new = results["hard-cases"]["old"], results["hard-cases"]["new"]
    assert old.hidden_papers > 0 and new.hidden_papers == 0
    assert new.sensitivity > old.sensitivity
