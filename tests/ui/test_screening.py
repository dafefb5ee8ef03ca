"""Screening mode, saved searches, keyword highlighting and the user config, through the keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.project import ProjectSettings
from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.screens.list_editor import ListEditor
from peerlit_tui.ui.screens.saved_searches import SavedSearches
from peerlit_tui.ui.widgets.screening_bar import ScreeningBar
from tests.ui.conftest import SAMPLE_FILE, SYNTHETIC_FILE, make_test_app, settle

#: Records in `screening_library`: 10 sample, 5 synthetic and 5 generated records.
SCREENING_SIZE = 20
REASONS = ["wrong population", "not peer support"]


def _generated_ris(count: int) -> str:
    entries = []
    for n in range(1, count + 1):
        entries.append(
            "\n".join(
                [
                    "TY  - JOUR",
                    f"TI  - Generated trial {n} of peer mentoring for carers",
                    f"AU  - Tester, Person{n}",
                    f"PY  - {2000 + n}",
                    "JO  - Journal of Generated Records",
                    f"AB  - Randomised trial number {n}; adults with peer support.",
                    "ER  - ",
                ]
            )
        )
    return "\n".join(entries) + "\n"


@pytest.fixture
def screening_library(tmp_path: Path, pinned_clock: None) -> Path:
    """A 20-record library (sample + synthetic + generated) with no user config."""
    generated = tmp_path / "generated.ris"
    generated.write_text(_generated_ris(5), encoding="utf-8")
    folder = tmp_path / "library"
    library = Library.open(folder)
    try:
        summary = library.import_files([SAMPLE_FILE, SYNTHETIC_FILE, generated])
    finally:
        library.close()
    assert summary.total("added") == SCREENING_SIZE
    return folder


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the config at a file in tmp_path (missing unless a test writes it)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("PEERLIT_CONFIG", str(path))
    return path


def _decisions(folder: Path) -> dict[str, tuple[str, str]]:
    service = AnnotationService.open(folder)
    try:
        return {a.record_id: (a.decision, a.reason or "") for a in service.all()}
    finally:
        service.close()


def _notes(app: PeerlitApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _add_reasons(pilot: Pilot[Any], reasons: list[str]) -> None:
    await pilot.press("R")
    editor = pilot.app.screen
    assert isinstance(editor, ListEditor)
    for reason in reasons:
        editor.input.value = reason
        await pilot.press("enter")
    assert editor.lists[0].items() == reasons
    await pilot.press("escape")


async def test_screen_twenty_records_with_keys_only(screening_library: Path) -> None:
    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen: Any = app.screen
            ids = screen.record_list.columns.ids
            rows = list(screen.record_list.rows)
            assert len(rows) == SCREENING_SIZE
            order = [ids[r] for r in rows]

            await _add_reasons(pilot, REASONS)
            # Outside screening mode, i includes without moving on: record 3 is decided.
            await pilot.press("j", "j", "j", "i")
            await settle(pilot)
            assert screen.record_list.current_id == order[3]
            await pilot.press("g", "f2")
            await settle(pilot)
            assert screen.screening and screen.has_class("-screening")
            bar = screen.query_one(ScreeningBar)
            assert bar.display
            assert bar.progress_text.startswith("screened 1 of 20 (include 1, exclude 0, maybe 0)")

            # 19 records left: each key decides and moves to the next undecided record.
            keys = ["i", "1", "m", "2", "I", "e", "1", "M", "u", "U", "E", "2"]
            keys += ["i", "i", "m", "1", "2", "i", "e", "0", "m", "i", "E", "escape", "x", "1"]
            await pilot.press(*keys)
            await settle(pilot)

        saved = _decisions(screening_library)
        expected = {
            0: ("include", ""),
            1: ("exclude", REASONS[0]),
            2: ("maybe", ""),
            3: ("include", ""),  # decided before, skipped by auto-advance
            4: ("exclude", REASONS[1]),
            5: ("include", ""),
            6: ("exclude", REASONS[0]),  # e opens the reason picker, 1 picks
            7: ("maybe", ""),
            # u and U set "undecided" on 8 and do not move; E then 2 excludes it.
            8: ("exclude", REASONS[1]),
            9: ("include", ""),
            10: ("include", ""),
            11: ("maybe", ""),
            12: ("exclude", REASONS[0]),
            13: ("exclude", REASONS[1]),
            14: ("include", ""),
            15: ("exclude", ""),  # e, then 0 in the picker: no reason
            16: ("maybe", ""),
            17: ("include", ""),
            # E then Esc cancels; x (the everyday exclude key) opens the picker, 1 picks.
            18: ("exclude", REASONS[0]),
        }
        for position, decision in expected.items():
            assert saved[order[position]] == decision, position
        assert order[19] not in saved or saved[order[19]][0] == "undecided"
    finally:
        app.close_services()


async def test_progress_line_and_last_undecided(screening_library: Path) -> None:
    service = AnnotationService.open(screening_library)
    library = Library.open(screening_library)
    try:
        all_ids = library.columns().ids
        service.set_decision(all_ids[:18], "include")
        service.set_decision([all_ids[18]], "maybe")
    finally:
        service.close()
        library.close()
    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen: Any = app.screen
            await pilot.press("f2")
            await settle(pilot)
            bar = screen.query_one(ScreeningBar)
            assert bar.progress_text == (
                "screened 19 of 20 (include 18, exclude 0, maybe 1) · 0 this session"
            )
            assert "no exclusion reasons" in bar.render().plain
            # The cursor is on record 0 (decided); x excludes it (no reasons: at once),
            # then auto-advance lands on the one undecided record.
            await pilot.press("E")
            await settle(pilot)
            assert screen.record_list.current_id == all_ids[19]
            # One decision in this session: too early for a rate ("60 per hour" misleads).
            assert bar.progress_text == (
                "screened 19 of 20 (include 17, exclude 1, maybe 1) · 1 this session"
            )
            await pilot.press("I")
            await settle(pilot)
            assert bar.progress_text.startswith("screened 20 of 20 (include 18, exclude 1,")
            assert "Every record shown has a decision." in _notes(app)
            # Screening keys act only in screening mode: outside it, 1 rates.
            await pilot.press("f2", "1")
            await settle(pilot)
            assert not bar.display
    finally:
        app.close_services()
    service = AnnotationService.open(screening_library)
    try:
        assert service.get(all_ids[19]).rating == 1
    finally:
        service.close()


def screen_reasons(app: PeerlitApp) -> list[str]:
    """The project's exclusion reasons as the app's services hold them."""
    assert app.services is not None
    return app.services.annotations.reasons()


async def test_criteria_and_reasons_are_edited_and_kept(screening_library: Path) -> None:
    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("C")
            editor: Any = app.screen
            editor.text_area.text = "Adults using [b]peer[/b] support."
            await pilot.press("ctrl+s")
            await settle(pilot)
            await _add_reasons(pilot, REASONS)
            await pilot.press("R")
            reasons: Any = app.screen
            reasons.option_lists[0].focus()
            await pilot.press("d", "escape")
            await settle(pilot)
            assert screen_reasons(app) == REASONS[1:]
    finally:
        app.close_services()
    assert ProjectSettings(screening_library).criteria() == "Adults using [b]peer[/b] support."


async def test_saved_searches_survive_a_restart(screening_library: Path) -> None:
    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen: Any = app.screen
            screen.filter_bar.set_value("generated")
            await settle(pilot)
            shown = screen.status.shown
            assert 5 <= shown < SCREENING_SIZE
            await pilot.press("escape", "quotation_mark", "3")
            await settle(pilot)
            assert not isinstance(app.screen, SavedSearches)
            # Name it in the dialog: n on the highlighted slot (moved to 3).
            await pilot.press("apostrophe", "down", "down", "n")
            dialog: Any = app.screen
            dialog.name_input.value = "Generated trials"
            await pilot.press("enter", "escape")
    finally:
        app.close_services()
    assert ProjectSettings(screening_library).saved_search(3) is not None

    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert screen.filter_bar.value == ""
            await pilot.press("apostrophe")
            dialog = app.screen
            assert "Generated trials" in str(dialog.slots.get_option_at_index(2).prompt)
            await pilot.press("3")
            await settle(pilot)
            assert screen.filter_bar.value == "generated"
            assert screen.status.shown == shown
            # An empty slot recalls nothing and says so.
            await pilot.press("apostrophe", "5")
            assert any("Saved search 5 is empty" in n for n in _notes(app))
            await pilot.press("d", "escape")  # d deletes the highlighted slot (1, empty)
    finally:
        app.close_services()


async def test_keyword_highlighting_in_list_and_detail(screening_library: Path) -> None:
    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen: Any = app.screen
            screen.filter_bar.set_value("generated")
            await settle(pilot)
            await pilot.press("escape", "W")
            editor: Any = app.screen
            editor.input.value = "peer ment*"
            await pilot.press("enter")
            editor.option_lists[1].focus()
            await pilot.press("a")  # back to the input; Enter now adds to the exclude list
            editor.input.value = "carers"
            await pilot.press("enter", "escape")
            await settle(pilot)
            project = ProjectSettings(screening_library)
            assert project.include_words() == ["peer ment*"]
            assert project.exclude_words() == ["carers"]

            title = screen.detail.query_one("#detail-title").render()
            styles = {str(span.style) for span in title.spans}
            assert ".detail-pane--include-word" in styles
            assert ".detail-pane--exclude-word" in styles
            # The query term keeps its own style over the words.
            assert ".detail-pane--highlight" in styles
            assert screen.record_list._word_spans("Peer mentoring for carers") == [
                ([(0, 14)], "include"),
                ([(19, 25)], "exclude"),
            ]
            await pilot.press("H")
            await settle(pilot)
            title = screen.detail.query_one("#detail-title").render()
            assert not any("word" in str(span.style) for span in title.spans)
    finally:
        app.close_services()


async def test_broken_config_warns_and_the_app_starts(
    screening_library: Path, no_user_config: Path
) -> None:
    no_user_config.write_text('theme = "nord"\nlist_columns = [\n', encoding="utf-8")
    app = make_test_app(screening_library)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen: Any = app.screen
            assert screen.record_list.rows
            notes = _notes(app)
            assert any("TOML syntax error" in n and f"{no_user_config}:" in n for n in notes)
    finally:
        app.close_services()


async def test_config_applies_sort_columns_keymap_and_words(
    screening_library: Path, no_user_config: Path
) -> None:
    no_user_config.write_text(
        "\n".join(
            [
                'list_columns = ["decision", "title"]',
                "[default_sort]",
                'key = "year"',
                "reverse = true",
                "[screening]",
                "auto_advance = false",
                "[highlight]",
                'include_words = ["peer"]',
                "[keymap]",
                '"main.screening_mode" = "f6"',
                '"main.nonsense" = "z"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    app = PeerlitApp(screening_library, cursor_blink=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen: Any = app.screen
            assert (screen.sort_key, screen.reverse) == ("year", True)
            layout = screen.record_list._layout
            assert (layout.year, layout.author, layout.journal) == (0, 0, 0)
            assert layout.glyph == 3
            assert any("main.nonsense" in n for n in _notes(app))
            assert ProjectSettings(screening_library).include_words() == ["peer"]
            first = screen.record_list.current_id
            await pilot.press("f6", "i")
            await settle(pilot)
            assert screen.screening
            assert screen.record_list.current_id == first  # auto_advance is off
    finally:
        app.close_services()
