"""The conflicts view and the reviewer in the status line, on a library two reviewers screened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.team import resolution_of, set_blind_mode
from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.screens.conflicts import ConflictsScreen
from peerlit_tui.ui.screens.main import MainScreen
from tests.ui.conftest import make_test_app, running_app, settle

#: (record index, alice's vote, bob's vote); index 2 is a markup-looking title.
VOTES = (
    (0, ("include", ""), ("include", "")),
    (1, ("include", ""), ("exclude", "wrong population")),
    (2, ("exclude", "wrong outcome"), ("maybe", "")),
    (3, ("maybe", ""), None),  # pending: bob has not screened it
)


def record_ids(folder: Path) -> list[str]:
    library = Library.open(folder)
    try:
        ids = list(library.columns().ids)
        markup = next(r for r in ids if "[bold]" in (library.get(r).title or ""))  # type: ignore[union-attr]
    finally:
        library.close()
    ids.remove(markup)
    return [ids[0], ids[1], markup, ids[2]]


def screen_as(folder: Path, who: str, votes: dict[str, tuple[str, str]]) -> None:
    service = AnnotationService.open(folder, reviewer=who)
    try:
        for rid, (decision, reason) in votes.items():
            service.set_decision([rid], decision, reason or None, add_reason=bool(reason))
    finally:
        service.close()


def set_blind(folder: Path, mode: str) -> None:
    service = AnnotationService.open(folder, reviewer="alice")
    try:
        set_blind_mode(service, mode)
    finally:
        service.close()


@pytest.fixture
def team_library(ui_library: Path) -> tuple[Path, list[str]]:
    """`ui_library` screened by alice and bob (blind mode as it starts: auto, so on)."""
    ids = record_ids(ui_library)
    for who, column in (("alice", 1), ("bob", 2)):
        votes = {ids[row[0]]: row[column] for row in VOTES if row[column] is not None}
        screen_as(ui_library, who, votes)  # type: ignore[arg-type]
    return ui_library, ids


@pytest.fixture
def as_alice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLIT_REVIEWER", "alice")


def cells(view: ConflictsScreen) -> dict[str, list[str]]:
    """Record id → the table's cells as plain text."""
    table = view.table
    return {
        str(key.value): [cell.plain for cell in table.get_row(key)]
        for key in table.rows
        if key.value is not None
    }


async def open_view(pilot: Pilot[Any], *keys: str) -> ConflictsScreen:
    await settle(pilot)
    await pilot.press("f7", *keys)
    await settle(pilot)
    view = pilot.app.screen
    assert isinstance(view, ConflictsScreen)
    assert view.loaded
    return view


async def test_status_line_names_the_reviewer_and_blind_mode(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, _ids = team_library
    for mode, expected in (("auto", "reviewer: alice · blind"), ("off", "reviewer: alice")):
        set_blind(folder, mode)
        async with running_app(folder) as (app, pilot):
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            for _ in range(50):  # the status line is filled once the library is loaded
                if "reviewer:" in screen.status.left_text:
                    break
                await pilot.pause(0.1)
            text = screen.status.left_text
            assert expected in text
            assert ("blind" in text) == (mode == "auto")
            # At 80 columns the reviewer is in view, not cut off.
            shown = screen.status.render().plain  # type: ignore[union-attr]
            assert "reviewer: alice" in shown


async def test_the_view_lists_conflicts_with_both_decisions_and_literal_titles(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, ids = team_library
    set_blind(folder, "off")
    async with running_app(folder, size=(120, 40)) as (_app, pilot):
        view = await open_view(pilot)
        shown = cells(view)
        assert set(shown) == {ids[1], ids[2]}  # agreed and pending records are not listed
        assert shown[ids[1]][1:] == ["include", "exclude: wrong population"]
        row = view._row(ids[1])
        assert row is not None
        assert [(v.reviewer, v.decision, v.reason) for v in row.votes] == [
            ("alice", "include", ""),
            ("bob", "exclude", "wrong population"),
        ]
        assert shown[ids[2]][1:] == ["exclude: wrong outcome", "maybe"]
        # The markup-looking title is plain text, not styling or an action.
        assert shown[ids[2]][0].startswith("[bold]Brackets[/] are plain text")
        assert view.found.reviewers == ("alice", "bob")
        # Pending records on a key: bob's vote is "not yet".
        await pilot.press("p")
        await settle(pilot)
        assert cells(view)[ids[3]][1:] == ["maybe", "not yet"]


async def test_resolving_removes_the_conflict_and_undo_brings_it_back(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, ids = team_library
    set_blind(folder, "off")
    async with running_app(folder) as (app, pilot):
        view = await open_view(pilot)
        annotations = app.services.annotations  # type: ignore[union-attr]
        assert view.current is not None
        first = view.current.record_id  # conflicts are listed by id
        (second,) = {ids[1], ids[2]} - {first}
        assert annotations.get(first).decision == "undecided"  # a conflict: no final one
        await pilot.press("i")
        await settle(pilot)
        assert set(cells(view)) == {second}
        assert annotations.get(first).decision == "include"
        assert resolution_of(annotations, first) == {"decision": "include", "reason": ""}
        # Exclude offers the project's reasons; 1 picks the first.
        reason = annotations.reasons()[0]
        await pilot.press("x", "1")
        await settle(pilot)
        assert cells(view) == {}
        assert annotations.get(second).decision == "exclude"
        assert resolution_of(annotations, second) == {"decision": "exclude", "reason": reason}
        # The normal undo, from the view: the last resolution comes back.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert set(cells(view)) == {second}
        assert resolution_of(annotations, second) is None
        assert annotations.get(second).decision == "undecided"
        # Maybe asks for a reason; markup in it is kept as typed.
        await pilot.press("m", *"[b]ask[/b]", "enter")
        await settle(pilot)
        maybe = {"decision": "maybe", "reason": "[b]ask[/b]"}
        assert resolution_of(annotations, second) == maybe
        assert annotations.get(second).decision == "maybe"
        assert "No conflicts" in str(view.query_one("#conflicts-record").content)
        # Undo on the main screen brings a conflict back too.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+z")
        await settle(pilot)
        view = await open_view(pilot)
        assert set(cells(view)) == {second}


async def test_escape_cancels_a_reason_prompt_and_keys_wait_for_it(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, _ids = team_library
    set_blind(folder, "off")
    async with running_app(folder) as (app, pilot):
        view = await open_view(pilot)
        annotations = app.services.annotations  # type: ignore[union-attr]
        listed = set(cells(view))
        await pilot.press("x", "i")  # the reason list is open: "i" resolves nothing
        await settle(pilot)
        assert view.prompting and set(cells(view)) == listed
        await pilot.press("escape")  # closes the list, not the view
        await settle(pilot)
        assert app.screen is view and not view.prompting
        await pilot.press("m", *"undecided yet", "escape")
        await settle(pilot)
        assert app.screen is view and not view.prompting
        assert all(resolution_of(annotations, rid) is None for rid in listed)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_enter_shows_the_record_on_the_main_screen(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, _ids = team_library
    set_blind(folder, "off")
    async with running_app(folder) as (app, pilot):
        view = await open_view(pilot, "down")
        assert view.current is not None
        wanted = view.current.record_id
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.record_list.current_id == wanted


async def test_blind_mode_shows_a_message_instead_of_the_others_decisions(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, _ids = team_library  # blind mode "auto": on, two reviewers screened
    async with running_app(folder) as (app, pilot):
        view = await open_view(pilot, "p")
        assert view.found.rows == () and view.found.reviewers == ()
        assert cells(view) == {}
        assert not view.table.display
        text = str(view.query_one("#conflicts-record").content)
        assert "blind mode is on" in text and "peerlit blind off" in text
        assert "wrong population" not in text and "bob" not in text
        await pilot.press("i", "x", "m")  # nothing to resolve: nothing happens
        await settle(pilot)
        annotations = app.services.annotations  # type: ignore[union-attr]
        assert all(resolution_of(annotations, rid) is None for rid in _ids)


def test_conflicts_view_snapshot(
    snap_compare: Any, team_library: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view at 80×24: two conflicts, the first one's decisions side by side."""
    folder, _ids = team_library
    monkeypatch.setenv("PEERLIT_REVIEWER", "alice")
    set_blind(folder, "off")
    app: PeerlitApp = make_test_app(folder)

    async def steps(pilot: Pilot[Any]) -> None:
        await open_view(pilot)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=steps)
    finally:
        app.close_services()


async def test_enter_on_a_record_the_filter_hides_says_how_to_see_it(
    team_library: tuple[Path, list[str]], as_alice: None
) -> None:
    folder, _ids = team_library
    set_blind(folder, "off")
    async with running_app(folder) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.filter_bar.set_value("zebrafish")  # matches nothing
        await settle(pilot)
        screen.record_list.focus()
        await open_view(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        texts = [n.message for n in app._notifications]
        assert any("not among the records the filter shows" in t for t in texts)
