"""Agreement statistics and the final-decision rule against hand-worked tables."""

from __future__ import annotations

import math
import warnings

import pytest
from sklearn.metrics import cohen_kappa_score

from peerlit_tui.services.agreement import (
    CONFLICT,
    NO_OVERLAP,
    ONE_CLASS,
    PENDING,
    UNDECIDED,
    agreement,
    cohen_kappa,
    final_decision,
    fleiss_kappa,
)


def table(cells: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    """Two decision lists from a contingency table {(first, second): count}."""
    first: list[str] = []
    second: list[str] = []
    for (a, b), n in cells.items():
        first += [a] * n
        second += [b] * n
    return first, second


def test_cohen_kappa_of_a_two_by_two_table_worked_by_hand() -> None:
    # 20 both include, 5 include/exclude, 10 exclude/include, 15 both exclude.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    a, b = table(
        {
            ("include", "include"): 20,
            ("include", "exclude"): 5,
            ("exclude", "include"): 10,
            ("exclude", "exclude"): 15,
        }
    )
    kappa = cohen_kappa(a, b)
    assert kappa.value == pytest.approx(0.4)
    assert kappa.reason == ""
    assert kappa.value == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_kappa_of_three_classes_matches_scikit_learn() -> None:
    # p_o = 7/10; first: i5 e3 m2, second: i4 e4 m2;
    # p_e = (20 + 12 + 4)/100 = 0.36; κ = 0.34/0.64 = 0.53125.
    a, b = table(
        {
            ("include", "include"): 3,
            ("include", "exclude"): 1,
            ("include", "maybe"): 1,
            ("exclude", "exclude"): 3,
            ("maybe", "include"): 1,
            ("maybe", "maybe"): 1,
        }
    )
    kappa = cohen_kappa(a, b)
    assert kappa.value == pytest.approx(0.53125)
    assert kappa.value == pytest.approx(cohen_kappa_score(a, b))


def test_all_agree_on_one_class_is_undefined_not_nan() -> None:
    a, b = table({("exclude", "exclude"): 7})
    kappa = cohen_kappa(a, b)
    assert kappa.value is None
    assert kappa.reason == ONE_CLASS == "κ is undefined: every decision was the same class"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(cohen_kappa_score(a, b))


def test_one_reviewer_using_one_class_gives_kappa_zero() -> None:
    # Perfect agreement is impossible to beat chance here: p_o = p_e = 2/3.
    a, b = table({("include", "include"): 2, ("include", "exclude"): 1})
    kappa = cohen_kappa(a, b)
    assert kappa.value == pytest.approx(0.0)
    assert kappa.value == pytest.approx(cohen_kappa_score(a, b))


def test_complete_disagreement_on_two_classes_is_minus_one() -> None:
    a, b = table({("include", "exclude"): 4, ("exclude", "include"): 4})
    assert cohen_kappa(a, b).value == pytest.approx(-1.0)


def test_no_overlap_is_undefined() -> None:
    assert cohen_kappa([], []).reason == NO_OVERLAP
    result = agreement({"alice": {"r1": "include"}, "bob": {"r2": "exclude"}})
    assert result.to_json()["both_screened"] == 0
    assert result.to_json()["cohen_kappa"] is None
    assert result.to_json()["percent_agreement"] is None


def test_fleiss_kappa_worked_by_hand() -> None:
    # Per-record agreement P_i: 1, 1, 1/3, 0 -> mean 7/12.
    # Class shares: include 6/12, exclude 5/12, maybe 1/12 -> p_e = 62/144.
    # κ = (7/12 - 31/72) / (1 - 31/72) = 11/41.
    ratings = [
        ["include", "include", "include"],
        ["exclude", "exclude", "exclude"],
        ["include", "include", "exclude"],
        ["include", "exclude", "maybe"],
    ]
    assert fleiss_kappa(ratings).value == pytest.approx(11 / 41)


def test_fleiss_kappa_undefined_and_invalid_tables() -> None:
    assert fleiss_kappa([["maybe"] * 3] * 4).reason == ONE_CLASS
    assert fleiss_kappa([]).value is None
    with pytest.raises(ValueError):
        fleiss_kappa([["include", "exclude"], ["include"]])


def test_library_agreement_counts_only_records_both_screened() -> None:
    decisions = {
        "bob": {
            "r1": "include",
            "r2": "exclude",
            "r3": "exclude",
            "r4": "include",
            "r9": "undecided",
        },
        "alice": {
            "r1": "include",
            "r2": "exclude",
            "r3": "include",
            "r5": "exclude",
            "r9": "include",
        },
        "carol": {"r1": "undecided"},
    }
    data = agreement(decisions).to_json()
    # r1 agree, r2 agree, r3 conflict; r4, r5 and r9 one-sided; carol screened nothing.
    assert data["reviewers"] == ["alice", "bob"]
    assert (data["both_screened"], data["agree"], data["conflicts"]) == (3, 2, 1)
    assert data["percent_agreement"] == pytest.approx(200 / 3)
    # alice i,e,i; bob i,e,e: p_o = 2/3, p_e = 2/3*1/3 + 1/3*2/3 = 4/9; κ = (2/9)/(5/9) = 0.4.
    assert data["cohen_kappa"] == pytest.approx(0.4)
    assert data["pairs"] == [
        {
            "reviewers": ["alice", "bob"],
            "both_screened": 3,
            "agree": 2,
            "conflicts": 1,
            "percent_agreement": pytest.approx(200 / 3),
            "cohen_kappa": pytest.approx(0.4),
            "kappa_note": "",
        }
    ]
    assert "fleiss_kappa" not in data


def test_three_reviewers_give_three_pairs_and_fleiss() -> None:
    decisions = {
        "a": {"r1": "include", "r2": "exclude", "r3": "include", "r4": "include"},
        "b": {"r1": "include", "r2": "exclude", "r3": "include", "r4": "exclude"},
        "c": {"r1": "include", "r2": "exclude", "r3": "exclude", "r4": "maybe"},
    }
    data = agreement(decisions).to_json()
    assert [p["reviewers"] for p in data["pairs"]] == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert data["cohen_kappa"] is None
    assert data["both_screened"] == 4
    assert data["fleiss_kappa"] == pytest.approx(11 / 41)


@pytest.mark.parametrize(
    ("decisions", "resolution", "expected"),
    [
        ({"alice": "include", "bob": "include"}, None, "include"),
        ({"alice": "include", "bob": "include"}, "exclude", "include"),
        ({"alice": "include", "bob": "exclude"}, None, CONFLICT),
        ({"alice": "include", "bob": "exclude"}, "maybe", "maybe"),
        ({"alice": "include"}, None, PENDING),
        ({"alice": "include", "bob": "undecided"}, None, PENDING),
        ({"alice": "include"}, "exclude", "exclude"),
        ({}, None, UNDECIDED),
        ({"alice": "undecided"}, "", UNDECIDED),
    ],
)
def test_final_decision(decisions: dict[str, str], resolution: str | None, expected: str) -> None:
    assert final_decision(decisions, ("alice", "bob"), resolution) == expected


def test_final_decision_of_a_single_reviewer_is_their_own() -> None:
    assert final_decision({"me": "exclude"}, ("me",)) == "exclude"
    # A reviewer not assigned who disagrees still makes a conflict.
    assert final_decision({"me": "exclude", "guest": "include"}, ("me",)) == CONFLICT
