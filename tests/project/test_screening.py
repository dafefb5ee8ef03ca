"""Screening helpers: progress, rate per hour, next undecided record, default keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from peerlit_tui.annotation import Annotation
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.screening import (
    Progress,
    decision_lookup,
    decision_rate,
    next_undecided,
    progress,
    rate_text,
    reason_for_slot,
)

NOW = datetime(2024, 8, 22, 12, 0, 0, tzinfo=UTC)


def at(minutes_ago: float) -> str:
    moment = NOW - timedelta(minutes=minutes_ago)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ann(rid: str, decision: str, minutes_ago: float = 0) -> Annotation:
    return Annotation(rid, decision=decision, updated=at(minutes_ago), created=at(minutes_ago))


def test_progress_counts_each_decision() -> None:
    lookup = decision_lookup(
        [ann("a", "include"), ann("b", "exclude"), ann("c", "exclude"), ann("d", "maybe")]
    )
    result = progress(["a", "b", "c", "d", "e", "f", "a"], lookup)
    assert result == Progress(total=6, include=1, exclude=2, maybe=1)
    assert (result.screened, result.undecided) == (4, 2)
    assert result.text() == "screened 4 of 6 (include 1, exclude 2, maybe 1)"
    assert result.to_json()["undecided"] == 2
    assert progress([], lookup).text() == "screened 0 of 0 (include 0, exclude 0, maybe 0)"
    assert Progress(total=12345, include=1000).text().startswith("screened 1,000 of 12,345")


def test_progress_from_a_real_store(tmp_path: Path) -> None:
    with AnnotationService.open(tmp_path, sync=False) as svc:
        svc.set_decision(["r1", "r2"], "include")
        svc.set_decision("r3", "exclude", "wrong population", add_reason=True)
        svc.set_decision("r4", "maybe")
        svc.set_decision("r4", "undecided")
        svc.add_tags("r5", "x")
        result = progress(["r1", "r2", "r3", "r4", "r5"], decision_lookup(svc.all()))
        assert result.text() == "screened 3 of 5 (include 2, exclude 1, maybe 0)"
        assert decision_rate(svc.all()) == 3.0  # three decided in the last hour


def test_rate_counts_decisions_in_the_last_hour() -> None:
    anns = [ann(f"r{i}", "include", minutes_ago=i * 10) for i in range(10)]  # 0..90 min ago
    anns.append(ann("u", "undecided", 1))
    # 0, 10, ..., 60 minutes ago: seven decisions in the hour.
    assert decision_rate(anns, now=NOW) == 7.0


def test_rate_over_a_short_session_is_scaled_to_an_hour() -> None:
    anns = [ann(f"r{i}", "exclude", minutes_ago=i) for i in range(30)]
    since = NOW - timedelta(minutes=10)
    # 0..10 minutes ago: 11 decisions in 10 minutes.
    assert decision_rate(anns, now=NOW, since=since) == 66.0
    # A session older than the window uses the last hour only.
    assert decision_rate(anns, now=NOW, since=NOW - timedelta(hours=3)) == 30.0
    # The first seconds of a session count as a minute.
    assert decision_rate(anns[:1], now=NOW, since=NOW - timedelta(seconds=2)) == 60.0
    assert rate_text(66.4) == "66 per hour" and rate_text(1234.0) == "1,234 per hour"


def test_next_undecided_wraps_and_follows_display_order() -> None:
    ids = ["a", "b", "c", "d", "e"]
    rows = [4, 2, 0, 3]  # shown: e, c, a, d
    decided = {"c": "include", "a": "exclude"}

    def lookup(rid: str) -> str:
        return decided.get(rid, "undecided")

    assert next_undecided(rows, ids, 0, lookup) == 3  # after e: c, a decided -> d
    assert next_undecided(rows, ids, 3, lookup) == 0  # wraps to e
    assert next_undecided(rows, ids, None, lookup) == 0
    decided["e"] = "maybe"
    assert next_undecided(rows, ids, 3, lookup) == 3  # only the current one is left
    decided["d"] = "include"
    assert next_undecided(rows, ids, 1, lookup) is None
    assert next_undecided([], ids, 0, lookup) is None
    assert next_undecided(rows, ids, 99, lambda _: "undecided") == 0


def test_reasons_on_number_keys() -> None:
    reasons = ["wrong population", "wrong design", "not English"]
    assert reason_for_slot(reasons, 1) == "wrong population"
    assert reason_for_slot(reasons, 3) == "not English"
    assert reason_for_slot(reasons, 4) is None
    assert reason_for_slot(reasons, 0) is None
