"""Stopping signal: the curve, records since the last inclusion, SAFE criteria, the chart."""

from __future__ import annotations

from pathlib import Path

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.stopping import (
    curve_chart,
    screening_order,
    signal_from_order,
    stopping_lines,
    stopping_signal,
)


def test_signal_of_a_hand_worked_order() -> None:
    decisions = ["include", "exclude", "maybe", "include"] + ["exclude"] * 50
    s = signal_from_order(decisions, records=500)
    assert s.curve[:5] == [1, 1, 1, 2, 2]
    assert s.curve[-1] == 2
    assert (s.screened, s.included, s.since_last_inclusion) == (54, 2, 50)
    met = {c.name: c.met for c in s.criteria}
    assert met == {
        "50 irrelevant records in a row": True,
        "screened 10% of all records": True,
        "screened 2× the relevant records": True,
    }
    assert s.criteria_met == 3
    early = signal_from_order(["exclude"] * 10 + ["include"], records=500)
    assert early.since_last_inclusion == 0
    assert early.criteria_met == 1  # only "twice the relevant records" (11 ≥ 2)


def test_nothing_screened() -> None:
    s = signal_from_order([], records=0)
    assert s.curve == [] and s.criteria_met == 0
    assert curve_chart(s.curve)[-1] == "  (nothing screened yet)"


def test_chart_fits_an_80_by_24_terminal() -> None:
    for n in (1, 3, 72, 5000):
        curve = [min(i // 7, 40) for i in range(n)]
        for ascii_only in (False, True):
            lines = curve_chart(curve, ascii_only=ascii_only)
            assert len(lines) <= 16
            assert max(len(line) for line in lines) <= 80
            block = stopping_lines(signal_from_order(["exclude"] * n, n), ascii_only=ascii_only)
            assert len(block) <= 23 and max(len(line) for line in block) <= 80
            if ascii_only:
                assert all(line.isascii() for line in lines)


def test_chart_rises_with_the_inclusions() -> None:
    lines = curve_chart([0, 0, 5, 10], width=4, height=4)
    plot = [line.split("│", 1)[1] for line in lines[1:5]]
    assert plot[0].endswith("█") and not plot[0].startswith("█")  # top row: only the end
    assert plot[-1].rstrip() != ""  # bottom row has the later columns filled


def test_screening_order_comes_from_the_journal(tmp_path: Path) -> None:
    with AnnotationService.open(tmp_path, sync=False) as service:
        service.set_decision("a", "include")
        service.set_decision(["b", "c"], "exclude")
        service.set_decision("d", "include")
        service.set_decision("b", "include")  # changing a decision keeps the place
        service.set_decision("c", "undecided")  # taken back: no longer screened
        service.set_decision("e", "maybe")
        service.undo()  # e's maybe is undone
        order = screening_order(service, tmp_path)
        assert order == [("a", "include"), ("b", "include"), ("d", "include")]
        s = stopping_signal(service, tmp_path, records=10)
        assert s.curve == [1, 2, 3] and s.since_last_inclusion == 0
