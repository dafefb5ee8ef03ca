"""Outputs from the app: stats screen, export dialog, copy (OSC 52) and open link."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import rispy
from textual.app import App
from textual.widgets import Input, RadioSet

from peerlit_tui.model import Author, Record
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.citation import apa_citation
from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.clipboard import CopyMenu, can_open_browser, copy_record_text
from peerlit_tui.ui.screens.export_dialog import ExportDialog
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.screens.stats import StatsScreen, bar, stats_content
from tests.ui.conftest import LIBRARY_SIZE, settle

SYNTHETIC_DOI = "10.9999/synthetic.2019.001"
OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


def _main(app: PeerlitApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def _capture_driver(app: App[Any]) -> list[str]:
    """Collect what the app writes to its terminal driver outside frames (OSC 52 goes there)."""
    written: list[str] = []
    driver = app._driver
    assert driver is not None
    original = driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    driver.write = write  # type: ignore[method-assign]
    return written


async def _go_to(pilot: Any, record_id: str) -> None:
    screen = _main(pilot.app)
    records = screen.record_list
    records.cursor = records.rows.index(records.columns.ids.index(record_id))
    await settle(pilot)


def _messages(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- copy ------------------------------------------------------------------------------


async def test_copy_doi_sends_the_exact_osc52_sequence(app: PeerlitApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _go_to(pilot, SYNTHETIC_DOI)
        written = _capture_driver(app)
        await pilot.press("y")
        assert isinstance(app.screen, CopyMenu)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        expected = "\x1b]52;c;" + base64.b64encode(SYNTHETIC_DOI.encode()).decode() + "\a"
        assert expected == "\x1b]52;c;MTAuOTk5OS9zeW50aGV0aWMuMjAxOS4wMDE=\x07"
        assert expected in written
        assert app.clipboard == SYNTHETIC_DOI
        assert any(f"Copied the DOI: {SYNTHETIC_DOI}" in m for m in _messages(app))


async def test_copy_citation_bibtex_and_ris(app: PeerlitApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _go_to(pilot, SYNTHETIC_DOI)
        await pilot.press("y", "c")
        assert app.clipboard == (
            "Åberg, K., Nakamura, Y., & Osei, K. (2019). Peer workers in crisis teams: a "
            "qualitative study of role clarity. Journal of Mental Health Practice, 12(3), "
            f"101–117. https://doi.org/{SYNTHETIC_DOI}"
        )
        await pilot.press("y", "b")
        assert app.clipboard.startswith("@") and SYNTHETIC_DOI in app.clipboard
        await pilot.press("y", "r")
        entries = rispy.loads(app.clipboard)
        assert len(entries) == 1 and entries[0]["doi"] == SYNTHETIC_DOI
        assert "notes" not in entries[0] or not any("decision" in n for n in entries[0]["notes"])
        messages = _messages(app)
        assert any(m.startswith("Copied the citation") for m in messages)
        assert any(m.startswith("Copied the BibTeX entry") for m in messages)
        assert any(m.startswith("Copied the RIS entry") for m in messages)


def _hostile_record() -> Record:
    evil = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\x07\x00"
    return Record(
        id="abc123",
        title=f"Title{evil} with escapes",
        authors=[Author(f"Gray{evil}, B.", family=f"Gray{evil}", given="Ben")],
        year=2020,
        journal=f"Journal{evil}",
        doi=f"10.1000/x{evil}y",
        url="javascript:alert(1)",
    )


class _Host(App[None]):
    pass


@pytest.mark.parametrize("kind", ["doi", "citation", "bibtex", "ris"])
async def test_control_characters_never_reach_the_clipboard(kind: str) -> None:
    host = _Host()
    async with host.run_test() as pilot:
        written = _capture_driver(host)
        assert copy_record_text(host, _hostile_record(), kind)
        await pilot.pause()
        sequences = [s for s in written if s.startswith("\x1b]52")]
        assert len(sequences) == 1
        match = OSC52.fullmatch(sequences[0])
        assert match is not None
        payload = base64.b64decode(match.group(1)).decode("utf-8")
        assert payload == host.clipboard
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", payload)
        assert "ZXZpbA" not in payload and "evil" not in payload


def test_apa_citation_format() -> None:
    record = Record(
        id="10.1/x",
        title="Peer support in practice.",
        authors=[
            Author("Gray, Benjamin T.", family="Gray", given="Benjamin T."),
            Author("Smith, Anne-Marie", family="Smith", given="Anne-Marie"),
            Author("Lee, K.", family="Lee", given="K."),
        ],
        year=2021,
        journal="Mental Health Review Journal",
        volume="26",
        issue="3",
        pages="12--19",
        doi="10.1/x",
    )
    assert apa_citation(record) == (
        "Gray, B. T., Smith, A.-M., & Lee, K. (2021). Peer support in practice. "
        "Mental Health Review Journal, 26(3), 12–19. https://doi.org/10.1/x"
    )
    assert apa_citation(Record(id="h", title="Untitled note")) == "(n.d.). Untitled note."


# -- open link -------------------------------------------------------------------------


def test_browser_availability() -> None:
    assert "SSH" in can_open_browser({"SSH_CONNECTION": "1 2 3 4", "DISPLAY": ":0"}, "linux")
    assert "display" in can_open_browser({}, "linux")
    assert can_open_browser({"DISPLAY": ":0"}, "linux") == ""
    assert can_open_browser({}, "darwin") == ""


async def test_open_link_over_ssh_copies_it_instead(
    app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 1 10.0.0.2 22")
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _go_to(pilot, SYNTHETIC_DOI)
        await pilot.press("o")
        await pilot.pause()
        assert opened == []
        assert app.clipboard == f"https://doi.org/{SYNTHETIC_DOI}"
        assert any("SSH session" in m for m in _messages(app))


async def test_open_link_with_a_display_uses_the_browser(
    app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _go_to(pilot, SYNTHETIC_DOI)
        await pilot.press("y", "o")
        await settle(pilot)
        assert opened == [f"https://doi.org/{SYNTHETIC_DOI}"]


# -- stats -----------------------------------------------------------------------------


def test_bar_scales_in_eighths() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 100, 4) == "▏"
    assert bar(0, 10, 4) == ""


async def test_stats_screen_counts_decisions(ui_library: Path) -> None:
    annotations = AnnotationService.open(ui_library)
    try:
        ids = _library_ids(ui_library)
        annotations.set_decision(ids[:3], "include")
        annotations.set_decision(ids[3:5], "exclude", "wrong population", add_reason=True)
        annotations.set_decision(ids[5:6], "exclude")
        annotations.set_decision(ids[6:7], "maybe")
    finally:
        annotations.close()
    app = PeerlitApp(ui_library, cursor_blink=False, theme="textual-dark", sample_dir=None)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, StatsScreen) and screen.stats is not None
            stats = screen.stats
            assert (stats.identified, stats.included, stats.excluded, stats.maybe) == (
                LIBRARY_SIZE, 3, 3, 1,
            )  # fmt: skip
            assert stats.undecided == LIBRARY_SIZE - 7
            assert stats.excluded_by_reason == {"wrong population": 2, "no reason given": 1}
            text = stats_content(stats, 76).plain
            assert re.search(r"included\s+3 █", text)
            assert re.search(r"wrong population\s+2 █", text)
            assert all(len(line) <= 76 for line in text.splitlines())
            target = ui_library.parent / "prisma.csv"
            screen.query_one("#stats-path", Input).value = str(target)
            await pilot.press("w")
            await settle(pilot)
            csv_text = target.read_text(encoding="utf-8")
            assert csv_text.startswith("data,node,box,description")
            assert "records_screened" in csv_text and ",7\n" in csv_text
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)
    finally:
        app.close_services()


def _library_ids(folder: Path) -> list[str]:
    from peerlit_tui.services.library import Library

    library = Library.open(folder)
    try:
        return list(library.columns().ids)
    finally:
        library.close()


# -- export ----------------------------------------------------------------------------


async def test_export_dialog_writes_the_filtered_records(app: PeerlitApp, tmp_path: Path) -> None:
    target = tmp_path / "out.ris"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _main(app)
        screen.filter_bar.set_value("peer")
        await settle(pilot)
        shown = len(screen.record_list.rows)
        assert 0 < shown < LIBRARY_SIZE
        await pilot.press("f4")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog) and dialog.scope == "shown"
        assert dialog.path_input.value.endswith("peerlit-export.ris")
        dialog.path_input.value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        entries = rispy.loads(target.read_text(encoding="utf-8"))
        assert len(entries) == shown
        assert not list(tmp_path.glob(".out.ris.*"))  # the temporary file was renamed
        assert any(f"Exported {shown} records to {target} (RIS)" in m for m in _messages(app))


async def test_export_dialog_format_and_scope_by_keys(app: PeerlitApp, tmp_path: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.focused is dialog.query_one("#export-format", RadioSet)
        await pilot.press("down", "space")  # RIS → BibTeX (Enter would export at once)
        assert dialog.format_name == "bibtex"
        assert dialog.path_input.value.endswith("peerlit-export.bib")
        dialog.path_input.value = str(tmp_path / "all.bib")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = (tmp_path / "all.bib").read_text(encoding="utf-8")
        assert text.count("\n@") + text.startswith("@") == LIBRARY_SIZE


async def test_export_error_is_a_notification(app: PeerlitApp, tmp_path: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.path_input.value = str(tmp_path / "missing-folder" / "x.ris")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and not dialog.running
        assert any("does not exist" in m for m in _messages(app))
        (tmp_path / "a-folder").mkdir()
        dialog.path_input.value = str(tmp_path / "a-folder")  # a folder, not a file
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and not dialog.running
        assert any(m.startswith("Export failed") for m in _messages(app))


async def test_export_reports_progress_to_the_bar(
    app: PeerlitApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("peerlit_tui.exporters.PROGRESS_EVERY", 4)
    seen: list[tuple[int, int]] = []
    original = ExportDialog._Progressed.__init__

    def record(self: Any, done: int, total: int) -> None:
        seen.append((done, total))
        original(self, done, total)

    monkeypatch.setattr(ExportDialog._Progressed, "__init__", record)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.path_input.value = str(tmp_path / "all.csv")
        await pilot.press("tab")  # a keyboard path through the scope choice
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert seen == [(4, LIBRARY_SIZE), (8, LIBRARY_SIZE), (12, LIBRARY_SIZE),
                    (LIBRARY_SIZE, LIBRARY_SIZE)]  # fmt: skip
    assert (tmp_path / "all.csv").exists()


async def test_copy_commands_are_in_the_palette(app: PeerlitApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _go_to(pilot, SYNTHETIC_DOI)
        screen: Any = app.screen
        commands = {c.title: c for c in screen.palette_commands() if c.title.startswith("Copy")}
        assert set(commands) == {
            "Copy DOI", "Copy citation (APA style)", "Copy BibTeX entry", "Copy RIS entry",
        }  # fmt: skip
        commands["Copy DOI"].callback()
        assert app.clipboard == SYNTHETIC_DOI
