"""The stats screen's agreement section: hand-worked κ, the undefined case in words, the fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlit_tui.services.agreement import agreement
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.ui.screens.stats import KAPPA_HINT, StatsScreen, agreement_content
from tests.ui.conftest import make_test_app, settle

# Hand-worked over six records both screened (a seventh only alice):
#            bob: include  exclude
# alice include      2        1
# alice exclude      1        2
# p_o = 4/6; p_e = (3/6)(3/6) + (3/6)(3/6) = 1/2; κ = (2/3 − 1/2) / (1 − 1/2) = 1/3.
ALICE = ["include", "include", "include", "exclude", "exclude", "exclude", "include"]
BOB = ["include", "include", "exclude", "include", "exclude", "exclude"]


def screen_as(folder: Path, who: str, decisions: list[str]) -> None:
    library = Library.open(folder)
    try:
        ids = list(library.columns().ids)
    finally:
        library.close()
    service = AnnotationService.open(folder, reviewer=who)
    try:
        for rid, decision in zip(ids, decisions, strict=False):
            service.set_decision([rid], decision)
    finally:
        service.close()


async def stats_text(folder: Path) -> str:
    app = make_test_app(folder)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            stats = app.screen
            assert isinstance(stats, StatsScreen)
            assert stats.agreement is not None
            return str(stats.query_one("#stats-body").content)
    finally:
        app.close_services()


@pytest.mark.parametrize("blind", [False, True], ids=["open", "blind"])
async def test_stats_show_kappa_of_a_hand_worked_table(
    ui_library: Path, monkeypatch: pytest.MonkeyPatch, blind: bool
) -> None:
    screen_as(ui_library, "alice", ALICE)
    screen_as(ui_library, "bob", BOB)
    monkeypatch.setenv("PEERLIT_REVIEWER", "alice")
    if not blind:
        service = AnnotationService.open(ui_library, reviewer="alice")
        try:
            from peerlit_tui.services.team import set_blind_mode

            set_blind_mode(service, "off")
        finally:
            service.close()
    text = await stats_text(ui_library)
    assert "Agreement between reviewers" in text
    assert "alice · bob: 6 screened by both, 4 agree (66.7%), 2 disagree" in text
    assert "Cohen's κ 0.333" in text
    assert KAPPA_HINT in text
    # The conflicts count names the others' disagreement: only when blind mode is off.
    assert ("unresolved conflicts: 2" in text) is not blind


async def test_stats_say_in_words_when_kappa_is_undefined(
    ui_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen_as(ui_library, "alice", ["include"] * 3)
    screen_as(ui_library, "bob", ["include"] * 3)
    monkeypatch.setenv("PEERLIT_REVIEWER", "alice")
    text = await stats_text(ui_library)
    assert "3 screened by both, 3 agree (100.0%), 0 disagree" in text
    assert "Cohen's κ undefined: every decision was the same class" in text
    assert "nan" not in text.lower()


async def test_stats_with_one_reviewer_say_agreement_needs_two(ui_library: Path) -> None:
    screen_as(ui_library, "carol", ["include", "exclude"])
    text = await stats_text(ui_library)
    assert "Agreement needs two reviewers who screened records (so far: carol)." in text
    assert "κ 0" not in text


def test_three_reviewers_get_pairs_and_fleiss_kappa_within_76_columns() -> None:
    # Fleiss over two records all three rated: [i,i,i] and [i,i,e].
    # P_1 = 1, P_2 = (4 + 1 − 3) / 6 = 1/3; P̄ = 2/3; p_i = 5/6, p_e = 1/6;
    # P̄_e = 25/36 + 1/36 = 26/36; κ = (24/36 − 26/36) / (10/36) = −0.2.
    table = {
        "ann": {"r1": "include", "r2": "include"},
        "ben": {"r1": "include", "r2": "include"},
        "[red]cy[/red]": {"r1": "include", "r2": "exclude"},
    }
    content = agreement_content(agreement(table), conflicts=1)
    lines = content.plain.splitlines()
    assert "  all 3 reviewers: 2 screened by all" in lines
    assert "    Fleiss' κ -0.200" in lines
    assert sum("screened by both" in line for line in lines) == 3
    assert any(line.startswith("  [red]cy[/red] · ann:") for line in lines)  # literal, not markup
    assert not content.spans or all("red" not in str(span.style) for span in content.spans)
    assert max(len(line) for line in lines) <= 76  # the dialog's width at 80 columns
