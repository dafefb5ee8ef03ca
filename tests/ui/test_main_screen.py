"""The main screen driven by keys only: filter, move, sort, screen, tag, undo, focus, layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.commands import KeyTableCommands, table_commands
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.widgets.detail_pane import DetailPane
from peerlit_tui.ui.widgets.filter_bar import FilterBar
from peerlit_tui.ui.widgets.record_list import RecordList
from peerlit_tui.ui.widgets.tag_panel import TagPanel
from tests.ui.conftest import LIBRARY_SIZE, make_test_app, settle


def _main(app: PeerlitApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def _titles(screen: MainScreen) -> list[str]:
    records = screen.record_list
    return [records.columns.titles[i] for i in records.rows]


async def test_shell_loads_library_and_shows_first_record(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        assert screen.status.left_text.startswith(f"{LIBRARY_SIZE} / {LIBRARY_SIZE}")
        assert len(screen.record_list.rows) == LIBRARY_SIZE
        assert screen.focused is screen.record_list
        first = screen.record_list.current_id
        assert first is not None
        assert screen.detail.record is not None and screen.detail.record.id == first
        assert screen.tags.record_id == first


async def test_typing_a_query_filters_and_keeps_the_cursor_record(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        records = screen.record_list
        # Move to the synthetic crisis-team record, then filter for a word it contains.
        target = next(
            i for i, t in enumerate(_titles(screen)) if t.startswith("Peer workers in crisis")
        )
        records.cursor = target - 1
        await pilot.press("j")
        wanted = records.current_id
        await pilot.press("slash")
        assert screen.focused is screen.filter_bar.input
        await pilot.press(*"peer")
        await settle(pilot)
        shown = _titles(screen)
        assert 0 < len(shown) < LIBRARY_SIZE
        assert records.current_id == wanted
        assert screen.status.left_text.startswith(f"{len(shown)} / {LIBRARY_SIZE}")
        assert "query: peer" in screen.status.left_text
        # Narrowing further to a word only that record has keeps it too.
        screen.filter_bar.set_value("peer crisi")
        await pilot.press("s")
        await settle(pilot)
        assert len(records.rows) == 1
        assert records.current_id == wanted
        await pilot.press("escape")
        assert screen.focused is records


async def test_malformed_query_shows_message_and_keeps_last_good_result(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        screen.filter_bar.focus_input()
        screen.filter_bar.set_value("recover")
        await pilot.press("y")
        await settle(pilot)
        good = list(screen.record_list.rows)
        assert 0 < len(good) < LIBRARY_SIZE
        screen.filter_bar.set_value("recovery year:ab")
        await pilot.press("c")
        await settle(pilot)
        assert "bad year range" in screen.filter_bar.error
        assert screen.filter_bar.has_class("-error")
        assert screen.record_list.rows == good
        screen.filter_bar.set_value("recovery ")
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.filter_bar.error == ""
        assert screen.record_list.rows == good


async def test_moving_through_the_list(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        records = _main(app).record_list
        await pilot.press("down", "j")
        assert records.cursor == 2
        await pilot.press("k")
        assert records.cursor == 1
        await pilot.press("G")
        assert records.cursor == LIBRARY_SIZE - 1
        await pilot.press("g")
        assert records.cursor == 0
        await pilot.press("pagedown")
        page = records.scrollable_content_region.height
        assert records.cursor == min(page, LIBRARY_SIZE - 1)
        await pilot.press("pageup", "end")
        assert records.cursor == LIBRARY_SIZE - 1
        await pilot.press("home")
        assert records.cursor == 0
        # The detail pane follows once the cursor rests.
        await pilot.press("j")
        await settle(pilot)
        assert _main(app).detail.record is not None
        assert _main(app).detail.record.id == records.current_id


async def test_sort_keys_cycle_and_reverse(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        records = screen.record_list
        keep = records.current_id
        await pilot.press("s")
        await settle(pilot)
        assert screen.sort_key == "year"
        years = [records.columns.years[i] or 0 for i in records.rows]
        assert years == sorted(years)
        assert records.current_id == keep
        assert "sort: year ↑" in screen.status.left_text
        await pilot.press("S")
        await settle(pilot)
        years = [records.columns.years[i] or 0 for i in records.rows]
        assert years == sorted(years, reverse=True)
        assert "sort: year ↓" in screen.status.left_text
        await pilot.press("s")
        await settle(pilot)
        assert screen.sort_key == "author"


async def test_screening_keys_save_at_once_and_undo_redo(app: PeerlitApp, ui_library: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        records = screen.record_list
        first = records.current_id
        assert first is not None
        await pilot.press("i")
        assert screen.services is not None
        assert screen.services.annotations.get(first).decision == "include"
        assert screen.tags.annotation is not None
        assert screen.tags.annotation.decision == "include"
        # The list shows the decision glyph on the record's line.
        assert "✓" in records.render_line(0).text
        await pilot.press("j", "3", "r")
        second = records.current_id
        saved = screen.services.annotations.get(second)
        assert (saved.rating, saved.read) == (3, "skimmed")
        await pilot.press("ctrl+z")
        assert screen.services.annotations.get(second).read == "unread"
        await pilot.press("ctrl+y")
        assert screen.services.annotations.get(second).read == "skimmed"
        # n jumps past decided records to the next undecided one.
        await pilot.press("g", "n")
        assert records.cursor == 1
    # Saved through the store: a fresh service sees the decision.
    with AnnotationService.open(ui_library) as annotations:
        assert annotations.get(first).decision == "include"


async def test_tagging_from_the_list_and_removing_by_undo(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        record_id = screen.record_list.current_id
        assert record_id is not None
        await pilot.press("t")
        assert screen.focused is not None and screen.focused.id == "tag-input"
        screen.tags.query_one("#tag-input", Input).value = "qualitativ"
        await pilot.press("e", "enter")
        assert screen.services is not None
        assert screen.services.annotations.get(record_id).tags == ("qualitative",)
        assert "#" in screen.record_list.render_line(0).text
        # Esc leaves the tag input, a second Esc the panel.
        await pilot.press("escape", "escape")
        assert screen.focused is screen.record_list
        await pilot.press("ctrl+z")
        assert screen.services.annotations.get(record_id).tags == ()
        assert "#" not in screen.record_list.render_line(0).text


async def test_focus_keys_reach_every_pane(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        await pilot.press("l")
        assert isinstance(screen.focused, DetailPane)
        await pilot.press("h")
        assert screen.focused is screen.record_list
        await pilot.press("T")
        assert isinstance(screen.focused, TagPanel)
        await pilot.press("escape")
        assert screen.focused is screen.record_list
        await pilot.press("enter")
        assert isinstance(screen.focused, DetailPane)
        await pilot.press("slash")
        assert screen.focused is screen.filter_bar.input


async def test_80x24_stacks_the_panes_and_keeps_them_usable(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        assert screen.has_class("-narrow")
        records = screen.record_list.region
        detail = screen.detail.region
        tags = screen.tags.region
        assert records.width == 80 and records.height >= 6
        assert detail.y > records.y and detail.width >= 40 and detail.height >= 6
        assert tags.width >= 25 and tags.height >= 5
        # The title column still gets most of the list's width.
        layout = screen.record_list._layout
        assert layout.journal == 0 and layout.title >= 40
    wide = make_test_app(app.library_dir)
    async with wide.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not _main(wide).has_class("-narrow")
        assert _main(wide).record_list.region.width < 80
        assert _main(wide).detail.region.x > 0
    wide.close_services()


async def test_empty_library_offers_the_sample_data(empty_library: Path) -> None:
    app = make_test_app(empty_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        assert screen.record_list.rows == []
        assert screen.check_action("run", ("import_sample",)) is True
        line = screen.record_list.render_line(0).text
        assert "Press I to import" in line
        await pilot.press("I")
        await settle(pilot)
        assert len(screen.record_list.rows) == 10
        assert screen.status.left_text.startswith("10 / 10")
        assert screen.check_action("run", ("import_sample",)) is False
    app.close_services()


async def test_open_paths_are_imported_after_loading(empty_library: Path) -> None:
    from tests.ui.conftest import SYNTHETIC_FILE

    app = make_test_app(empty_library, open_paths=[SYNTHETIC_FILE])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(_main(app).record_list.rows) == 5
    app.close_services()


async def test_every_binding_comes_from_the_key_table_and_is_in_the_palette(
    app: PeerlitApp,
) -> None:
    from peerlit_tui.ui.keys import KEY_TABLE

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        nodes = [*screen.walk_children(with_self=True), app]
        own = (MainScreen, RecordList, FilterBar, PeerlitApp, TagPanel, DetailPane)
        table_ids = {row.id for row in KEY_TABLE}
        # Every binding the project's classes declare is a row of the key table (the
        # scrolling keys a pane inherits from Textual have no id and are not listed).
        stray = [
            f"{type(node).__name__}:{binding.key}"
            for node in nodes
            if isinstance(node, own)
            for _key, binding in node._bindings
            if not binding.system and binding.id is not None and binding.id not in table_ids
        ]
        for cls in own:
            for binding in cls.__dict__.get("BINDINGS", []):
                assert binding.id in table_ids, (cls.__name__, binding)
        assert stray == []
        titles = {c.title for c in table_commands(screen.palette_targets(), {}, app)}
        for expected in ("Include", "Exclude", "Undo", "Sort", "Next unscreened", "Filter",
                         "Help", "Collapse all", "Stats / PRISMA", "Export…", "Copy…",
                         "Open link"):  # fmt: skip
            assert expected in titles
        assert KeyTableCommands in app.COMMANDS
        extra = {c.title for c in screen.palette_commands()}
        assert {"Sort by year", "Sort by relevance", "Clear the filter", "Copy DOI"} <= extra


async def test_help_lists_keys(app: PeerlitApp) -> None:
    from peerlit_tui.ui.screens.help import HelpScreen

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def test_cli_open_imports_then_runs_the_app(
    library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlit_tui.cli import main
    from peerlit_tui.services.library import Library
    from tests.ui.conftest import SYNTHETIC_FILE

    opened: list[Path] = []
    monkeypatch.setattr("peerlit_tui.ui.run_app", lambda folder, **_: opened.append(folder) or 0)
    assert main(["open", str(SYNTHETIC_FILE)]) == 0
    assert opened == [library_dir]
    library = Library.open(library_dir)
    try:
        assert library.count() == 5
    finally:
        library.close()
    assert main(["tui"]) == 0
    assert opened == [library_dir, library_dir]


def test_cli_open_refuses_when_nothing_imports(
    library_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from peerlit_tui.cli import main

    monkeypatch.setattr("peerlit_tui.ui.run_app", lambda folder, **_: pytest.fail("app opened"))
    empty = tmp_path / "empty.ris"
    empty.write_text("not an export\n", encoding="utf-8")
    assert main(["open", str(empty)]) == 2


async def test_a_failing_load_is_reported_not_raised(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "library"
    not_a_folder.write_text("a file where the library folder should be", encoding="utf-8")
    app = make_test_app(not_a_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Loading the library failed") for m in messages)
        assert app.is_running
        assert "failed" in _main(app).status.render().plain


def test_cli_open_restores_annotations_carried_by_a_peerlit_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlit_tui.cli import main
    from peerlit_tui.services.annotations import AnnotationService
    from tests.ui.conftest import SYNTHETIC_FILE

    monkeypatch.setattr("peerlit_tui.ui.run_app", lambda folder, **_: 0)
    source, fresh = tmp_path / "source", tmp_path / "fresh"
    assert main(["--library", str(source), "import", str(SYNTHETIC_FILE)]) == 0
    first_id = _first_id(source)
    assert main(["--library", str(source), "tag", first_id, "peer-led"]) == 0
    exported = tmp_path / "out.ris"
    assert main(["--library", str(source), "export", "--format", "ris", "-o", str(exported)]) == 0
    assert main(["--library", str(fresh), "open", str(exported)]) == 0
    service = AnnotationService.open(fresh)
    try:
        assert list(service.get(first_id).tags) == ["peer-led"]
    finally:
        service.close()


def _first_id(folder: Path) -> str:
    from peerlit_tui.services.library import Library

    library = Library.open(folder)
    try:
        return library.columns().ids[0]
    finally:
        library.close()


async def test_a_first_screenful_shows_before_the_whole_library(
    ui_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("peerlit_tui.ui.controllers.loading.FIRST_PAGE_ROWS", 3)
    app = make_test_app(ui_library)
    limits: list[int | None] = []
    load = app.load_library

    def recording_load(limit: int | None = None) -> object:
        limits.append(limit)
        return load(limit=limit)

    monkeypatch.setattr(app, "load_library", recording_load)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = _main(app)
            assert limits == [3, None]
            assert len(screen.record_list.rows) == LIBRARY_SIZE
            assert screen.status.left_text.startswith(f"{LIBRARY_SIZE} / {LIBRARY_SIZE}")
            assert screen.detail.record is not None
            assert screen.detail.record.id == screen.record_list.current_id
    finally:
        app.close_services()
