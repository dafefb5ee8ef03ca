"""A screening day driven by keys: each test reproduces a defect users hit, fixed now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.screens.bulk_dialog import BulkDialog
from peerlit_tui.ui.screens.export_dialog import ExportDialog
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.screens.stats import StatsScreen
from peerlit_tui.ui.widgets.detail_pane import DetailPane
from peerlit_tui.ui.widgets.tag_controls import TagList
from tests.ui.conftest import LIBRARY_SIZE, SYNTHETIC_FILE, make_test_app, settle


def _main(app: PeerlitApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def _detail_lines(app: PeerlitApp) -> str:
    """What the detail pane shows on screen, as text."""
    screen = _main(app)
    region = screen.detail.region
    lines = []
    for y in range(region.y, region.bottom):
        strip = app.screen._compositor.render_strips()[y]
        lines.append(strip.crop(region.x, region.right).text)
    return "\n".join(lines)


async def test_screening_at_80x24_shows_the_abstract_after_each_move(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("j")
            await settle(pilot)
            screen = _main(app)
            record = screen.detail.record
            assert record is not None and record.abstract
            shown = " ".join(_detail_lines(app).split())
            first = record.abstract[0]
            heading = first.heading or "Abstract"
            assert heading in shown
            assert " ".join(first.text.split()[:6]) in shown  # the first words of the abstract
        assert "v: all details" in shown


async def test_next_section_acts_on_the_first_press_from_the_list(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("right_curly_bracket")
        await pilot.pause()
        sections = screen.detail.section_widgets
        assert sections and sections[0].has_focus


async def test_a_key_right_after_a_sort_acts_on_the_new_order(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        records = screen.record_list
        await pilot.press("j", "j")
        await pilot.press("S", "g")  # reverse, then at once the first record
        await settle(pilot)
        assert records.cursor == 0
        assert records.current_id == records.columns.ids[records.rows[0]]
        assert records.rows[0] == len(records.columns) - 1  # newest first: the last added
        assert "date added ↓ newest first" in screen.status.left_text


async def test_tab_moves_between_the_panes_only(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            focused = screen.focused
            assert focused is not None
            seen.append(focused)
        assert isinstance(seen[0], DetailPane)
        assert screen.tags in (seen[1], *seen[1].ancestors)
        assert seen[2] is screen.filter_bar.input
        assert seen[3] is screen.record_list


async def test_removing_a_tag_is_two_keys_with_feedback(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        assert screen.services is not None
        record_id = screen.record_list.current_id
        assert record_id is not None
        screen.services.annotations.add_tags([record_id], ["qualitative"])
        screen.annotations_changed([record_id])
        await settle(pilot)
        await pilot.press("T")
        assert isinstance(screen.focused, TagList)
        message = str(screen.tags.query_one("#tag-message", Static).visual)
        assert "removes the highlighted tag" in message
        await pilot.press("delete")
        await settle(pilot)
        assert screen.services.annotations.get(record_id).tags == ()
        assert "untag" in screen.status.state
        await pilot.press("escape", "D")  # nothing left: says so
        message = str(screen.tags.query_one("#tag-message", Static).visual)
        assert "no tags" in message


async def test_screening_keys_mean_the_same_in_every_pane(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        assert screen.services is not None
        await pilot.press("f2")
        await settle(pilot)
        first = screen.record_list.current_id
        assert first is not None
        screen.tags.focus()
        await pilot.press("e")  # exclude, not the note editor
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert screen.services.annotations.get(first).decision == "exclude"
        second = screen.record_list.current_id
        assert second != first  # auto-advance
        screen.detail.focus()
        await pilot.press("3")  # a reason number, not a rating (no reasons: says so)
        await settle(pilot)
        assert screen.services.annotations.get(second or "").rating == 0


async def test_undo_after_auto_advance_returns_to_the_record_and_names_it(
    app: PeerlitApp,
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        await pilot.press("f2")
        await settle(pilot)
        first = screen.record_list.current_id
        assert first is not None and screen.services is not None
        title = screen.services.library.get(first).title  # type: ignore[union-attr]
        await pilot.press("I")
        await settle(pilot)
        assert screen.record_list.current_id != first
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert screen.record_list.current_id == first
        state = screen.status.state
        assert state.startswith("undone: decide include") and "undo: " not in state
        assert title[:20] in state
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert screen.status.state.startswith("redone: decide include")


async def test_status_messages_clear_after_a_while(
    app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("peerlit_tui.ui.widgets.status_line.STATE_SECONDS", 0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        await pilot.press("m")
        await pilot.pause()
        assert screen.status.state.startswith("saved:")
        for _ in range(30):  # the timer fires after 0.2 s; allow for a busy machine
            await pilot.pause(0.1)
            if not screen.status.state:
                break
        assert screen.status.state == ""


async def test_enter_on_the_export_format_list_exports(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        await pilot.press("f4")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert Path(dialog.path_input.value).parent == screen.options.library_dir
        await pilot.press("down", "enter")  # the second format, and export
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        written = list(screen.options.library_dir.glob("peerlit-export.*"))
        assert len(written) == 1 and written[0].suffix != ".ris"


async def test_stats_scroll_when_they_do_not_fit(app: PeerlitApp) -> None:
    # A short terminal stands for a library with many sources at 80x24.
    async with app.run_test(size=(80, 16)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        scroll = stats.query_one("#stats-scroll")
        body = stats.query_one("#stats-body")
        assert body.size.height > scroll.size.height  # more than fits: it must scroll
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y > 0


async def test_palette_search_finds_outputs(app: PeerlitApp) -> None:
    from textual.command import CommandPalette

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for word, title in (("stats", "Stats / PRISMA"), ("export", "Export…"),
                            ("copy", "Copy…"), ("open link", "Open link")):  # fmt: skip
            await pilot.press("ctrl+p")
            await pilot.pause()
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            await pilot.press(*word)
            await pilot.pause(0.5)
            options = palette.query_one("CommandList")
            shown = [str(options.get_option_at_index(i).prompt)  # type: ignore[attr-defined]
                     for i in range(options.option_count)]  # type: ignore[attr-defined]  # fmt: skip
            assert any(title in text for text in shown), (word, shown)
            assert not any("cursor" in text.lower() for text in shown)
            await pilot.press("escape")
            await pilot.pause()


async def test_bulk_decision_on_the_filter_is_one_undo_step(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _main(app)
        screen.filter_bar.set_value("peer")
        await settle(pilot)
        shown = screen.shown_ids()
        assert 0 < len(shown) < LIBRARY_SIZE
        await pilot.press("escape", "B")
        assert await _until(pilot, lambda: isinstance(app.screen, BulkDialog))
        title = str(app.screen.query_one("#bulk-dialog").border_title)
        assert f"{len(shown):,} records" in title
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert await _until(pilot, lambda: isinstance(app.screen, MainScreen))
        await settle(pilot)
        annotations = screen.services.annotations  # type: ignore[union-attr]
        assert all(annotations.get(i).decision == "include" for i in shown)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert screen.status.state.startswith("undone:"), (screen.status.state, app.focused)
        assert all(annotations.get(i).decision == "undecided" for i in shown)


async def test_a_picked_theme_is_kept(ui_library: Path, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n[screening]\nauto_advance = true\n", encoding="utf-8")
    app = make_test_app(ui_library, config_path=path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.theme = "nord"
            await pilot.pause()
    finally:
        app.close_services()
    text = path.read_text(encoding="utf-8")
    assert 'theme = "nord"' in text and "# mine" in text and "auto_advance = true" in text


def _cli(folder: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "peerlit_tui", "--library", str(folder), *args],
        check=True,
        capture_output=True,
    )


async def _until(pilot: Any, condition: Any, seconds: float = 2.0) -> bool:
    for _ in range(int(seconds / 0.1)):
        if condition():
            return True
        await pilot.pause(0.1)
    return bool(condition())


async def test_records_imported_from_the_command_line_appear(empty_library: Path) -> None:
    app = make_test_app(empty_library)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = _main(app)
            assert len(screen.record_list.columns) == 0
            _cli(empty_library, "import", str(SYNTHETIC_FILE))
            assert await _until(pilot, lambda: len(screen.record_list.columns) == 5)
    finally:
        app.close_services()


async def test_a_decision_made_on_the_command_line_updates_the_list(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        record_id = screen.record_list.current_id
        assert record_id is not None
        assert screen.record_list.render_line(0).text.startswith(" · ")
        _cli(app.library_dir, "decide", record_id, "include")
        assert await _until(pilot, lambda: screen.record_list.render_line(0).text.startswith(" ✓ "))
        assert screen.tags.annotation is not None and screen.tags.annotation.decision == "include"


def test_the_import_prompt_completes_paths(tmp_path: Path) -> None:
    from peerlit_tui.ui.screens.import_dialog import complete_path

    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "scopus.ris").write_text("", encoding="utf-8")
    assert complete_path(str(tmp_path / "exp")) == str(tmp_path / "exports") + "/"
    assert complete_path(str(tmp_path / "exports" / "sc")) == str(
        tmp_path / "exports" / "scopus.ris"
    )
    assert complete_path(str(tmp_path / "nothing")) is None


async def test_import_from_inside_the_app_reports_like_the_command_line(
    empty_library: Path,
) -> None:
    app = make_test_app(empty_library, notices=["Imported 3 records from 1 file(s): …"])
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert any(m.startswith("Imported 3 records") for m in messages)
            await pilot.press("ctrl+o")
            await pilot.pause()
            field = app.screen.query_one("#import-path", Input)
            field.value = str(SYNTHETIC_FILE)
            await pilot.press("enter")
            await settle(pilot)
            assert len(_main(app).record_list.columns) == 5
            messages = [str(n.message) for n in app._notifications]
            assert any("5 added, 0 already present" in m for m in messages)
    finally:
        app.close_services()


async def test_duplicates_view_shows_pairs_and_keeps_both(ui_library: Path) -> None:
    from peerlit_tui.services.library import Library
    from peerlit_tui.ui.screens.duplicates import DuplicatesScreen

    library = Library.open(ui_library)
    try:
        first, second = library.columns().ids[:2]
        library.link(first, second)
    finally:
        library.close()
    app = make_test_app(ui_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+d")
            await pilot.pause()
            view = app.screen
            assert isinstance(view, DuplicatesScreen)
            assert [(p.first, p.second) for p in view.pairs] == [(first, second)]
            head = str(view.query_one("#dup-head", Static).visual)
            assert head.startswith("Pair 1 of 1")
            await pilot.press("U")
            await pilot.pause()
            assert view.pairs[0].status == "unlinked"
            await pilot.press("escape")
            await settle(pilot)
            services = _main(app).services
            assert services is not None
            links = services.library.duplicates_of(first)
            assert all(link["status"] != "linked" for link in links)
    finally:
        app.close_services()


async def test_a_new_library_opened_in_the_app_gets_the_default_reasons(
    empty_library: Path,
) -> None:
    app = make_test_app(empty_library)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
    finally:
        app.close_services()
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.project import DEFAULT_EXCLUSION_REASONS

    with AnnotationService.open(empty_library, read_only=True) as svc:
        assert svc.reasons() == list(DEFAULT_EXCLUSION_REASONS)


async def test_undo_of_a_change_made_elsewhere_asks_for_a_second_press(app: PeerlitApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        record_id = screen.record_list.current_id
        assert record_id is not None
        _cli(app.library_dir, "tag", record_id, "theirs")
        assert await _until(
            pilot,
            lambda: screen.tags.annotation is not None and "theirs" in screen.tags.annotation.tags,
        )
        await pilot.press("ctrl+z")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("made elsewhere" in m and "theirs" in m for m in messages)
        assert screen.tags.annotation is not None and "theirs" in screen.tags.annotation.tags
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert screen.tags.annotation is not None and "theirs" not in screen.tags.annotation.tags


async def test_list_rows_follow_the_width_when_the_scrollbar_comes_and_goes(
    app: PeerlitApp,
) -> None:
    # The scrollbar changes the list's content width without resizing the widget:
    # rows drawn for the other width would leave a column blank or cut the title.
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        rows = screen.record_list
        with_bar = rows.scrollable_content_region.width
        assert rows.render_line(0).cell_length == with_bar
        record_id = rows.current_id
        assert record_id is not None
        # The same record, already drawn at the narrower width, alone in the list.
        screen.filter_bar.set_value(f"id:{record_id}")
        await settle(pilot)
        assert len(rows.rows) == 1 and rows.current_id == record_id
        without_bar = rows.scrollable_content_region.width
        assert without_bar > with_bar
        assert rows.render_line(0).cell_length == without_bar
