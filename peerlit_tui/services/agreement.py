"""Agreement between reviewers and the final decision of a record.

Pure functions over plain mappings; nothing here reads the library. The inputs are
each reviewer's screening decisions, keyed by record id, as the annotation store
keeps them. "undecided" means the reviewer has not screened the record and never
counts as a class.

Cohen's κ (two raters) is (p_o − p_e) / (1 − p_e): p_o is the share of records both
screened on which they agree, p_e the agreement expected by chance from each
reviewer's own class frequencies. Fleiss' κ generalises it to any fixed number of
raters per record; it is computed over the records every reviewer screened. Both
are undefined when p_e = 1 (every decision was the same class, so chance already
explains all agreement) and when no record was screened by every rater; the result
then carries `None` and a sentence saying why, never NaN.

The numbers match `sklearn.metrics.cohen_kappa_score` on every defined table (the
tests check it); κ is computed here with plain arithmetic so that `peerlit
agreement` does not pay scikit-learn's import time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Final

from peerlit_tui.screening_decisions import (
    CLASSES,
    CONFLICT,
    PENDING,
    UNDECIDED,
    final_decision,
    screened,
)

__all__ = ["CLASSES", "CONFLICT", "PENDING", "UNDECIDED", "final_decision", "screened"]

NO_OVERLAP: Final = "κ is undefined: no record was screened by both reviewers"
NO_COMMON: Final = "κ is undefined: no record was screened by every reviewer"
ONE_CLASS: Final = "κ is undefined: every decision was the same class"

# Decisions: reviewer -> record id -> decision.
Decisions = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Kappa:
    """A κ value, or why it has none.

    Attributes:
        value: κ, or None when undefined.
        reason: Empty when defined, else a sentence naming why κ is undefined.
    """

    value: float | None
    reason: str = ""


def cohen_kappa(first: list[str], second: list[str]) -> Kappa:
    """Cohen's κ of two equally long lists of decisions on the same records.

    Args:
        first: One reviewer's decisions.
        second: The other reviewer's decisions, in the same record order.

    Returns:
        κ, or None with a reason when undefined (no records; one class only).
    """
    if len(first) != len(second):
        raise ValueError("both reviewers' decisions must cover the same records")
    n = len(first)
    if n == 0:
        return Kappa(None, NO_OVERLAP)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if expected >= 1.0:
        return Kappa(None, ONE_CLASS)
    return Kappa((observed - expected) / (1.0 - expected))


def fleiss_kappa(ratings: list[list[str]]) -> Kappa:
    """Fleiss' κ of records each rated by the same number (≥ 2) of reviewers.

    Args:
        ratings: One list per record of the decisions its raters gave.

    Returns:
        κ, or None with a reason when undefined (no records; one class only).
    """
    if not ratings:
        return Kappa(None, NO_COMMON)
    raters = len(ratings[0])
    if raters < 2 or any(len(r) != raters for r in ratings):
        raise ValueError("Fleiss' κ needs the same number (≥ 2) of ratings per record")
    n = len(ratings)
    totals: Counter[str] = Counter()
    agreement = 0.0
    for row in ratings:
        counts = Counter(row)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    observed = agreement / n
    expected = sum((t / (n * raters)) ** 2 for t in totals.values())
    if expected >= 1.0:
        return Kappa(None, ONE_CLASS)
    return Kappa((observed - expected) / (1.0 - expected))


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """How two reviewers agree on the records both screened.

    Attributes:
        reviewers: The two reviewers, in name order.
        both_screened: Records both screened.
        agree: Of those, records with the same decision.
        conflicts: Of those, records with different decisions.
        percent_agreement: 100 × agree / both_screened, None when nothing overlaps.
        kappa: Cohen's κ with its reason when undefined.
    """

    reviewers: tuple[str, str]
    both_screened: int
    agree: int
    conflicts: int
    percent_agreement: float | None
    kappa: Kappa

    def to_json(self) -> dict[str, Any]:
        """The pair as `peerlit agreement --json` prints it."""
        return {
            "reviewers": list(self.reviewers),
            "both_screened": self.both_screened,
            "agree": self.agree,
            "conflicts": self.conflicts,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.kappa.value,
            "kappa_note": self.kappa.reason,
        }


def pair_agreement(decisions: Decisions, first: str, second: str) -> PairAgreement:
    """Agreement of reviewers `first` and `second` over the records both screened."""
    a_name, b_name = sorted((first, second))
    a, b = decisions.get(a_name, {}), decisions.get(b_name, {})
    if len(b) < len(a):
        common = [r for r in b if screened(b[r]) and screened(a.get(r))]
    else:
        common = [r for r in a if screened(a[r]) and screened(b.get(r))]
    common.sort()
    first_list = [a[r] for r in common]
    second_list = [b[r] for r in common]
    agree = sum(x == y for x, y in zip(first_list, second_list, strict=True))
    n = len(common)
    return PairAgreement(
        reviewers=(a_name, b_name),
        both_screened=n,
        agree=agree,
        conflicts=n - agree,
        percent_agreement=100.0 * agree / n if n else None,
        kappa=cohen_kappa(first_list, second_list),
    )


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement over a whole library.

    Attributes:
        reviewers: Every reviewer with at least one screening decision, by name.
        pairs: One `PairAgreement` per pair of reviewers.
        fleiss: Fleiss' κ over the records every reviewer screened, when there
            are more than two reviewers; None otherwise.
        all_screened: Records every reviewer screened (the Fleiss' κ basis).
    """

    reviewers: tuple[str, ...]
    pairs: tuple[PairAgreement, ...]
    fleiss: Kappa | None
    all_screened: int

    def to_json(self) -> dict[str, Any]:
        """The shape of `peerlit agreement --json`.

        With exactly two reviewers the top level repeats their pair's numbers; with
        more it carries `fleiss_kappa`; with fewer the counts are zero and κ null.
        """
        data: dict[str, Any] = {"reviewers": list(self.reviewers)}
        if len(self.pairs) == 1:
            top = self.pairs[0].to_json()
            del top["reviewers"]
            data.update(top)
        else:
            data.update(
                both_screened=self.all_screened,
                agree=None,
                conflicts=None,
                percent_agreement=None,
                cohen_kappa=None,
                kappa_note="Cohen's κ is for two reviewers; see pairs"
                if len(self.reviewers) > 2
                else "κ needs two reviewers",
            )
        data["pairs"] = [p.to_json() for p in self.pairs]
        if self.fleiss is not None:
            data["fleiss_kappa"] = self.fleiss.value
            data["fleiss_note"] = self.fleiss.reason
        return data


def agreement(decisions: Decisions) -> Agreement:
    """Agreement of every pair of reviewers, and Fleiss' κ when more than two.

    Args:
        decisions: reviewer → record id → decision; reviewers without any screened
            record are left out.
    """
    names = tuple(sorted(r for r, d in decisions.items() if any(map(screened, d.values()))))
    pairs = tuple(pair_agreement(decisions, a, b) for a, b in combinations(names, 2))
    fleiss: Kappa | None = None
    common: list[str] = []
    all_screened = pairs[0].both_screened if len(names) == 2 else 0
    if len(names) > 2:
        smallest = min(names, key=lambda r: len(decisions[r]))
        common = sorted(
            rid
            for rid in decisions[smallest]
            if all(screened(decisions[r].get(rid)) for r in names)
        )
        fleiss = fleiss_kappa([[decisions[r][rid] for r in names] for rid in common])
        all_screened = len(common)
    return Agreement(names, pairs, fleiss, all_screened)
