"""Screening in ranked order on the main screen: sort, `n`, score column, why, status, worker."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from textual.pilot import Pilot

from peerlit_tui.services.ranking import RankingService
from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.widgets.detail_content import RANK_WORD
from peerlit_tui.ui.widgets.record_row import LEVEL_GLYPHS, NO_SCORE
from tests.ui.conftest import decide_at, make_test_app, settle


def _screen(pilot: Pilot[Any]) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


def _service(screen: MainScreen) -> RankingService:
    service = screen.ranking.service
    assert service is not None and service.result is not None
    return service


async def test_screening_mode_sorts_by_priority_once_ranked(ranked_app: PeerlitApp) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        service = _service(screen)
        assert screen.sort_key == "added"  # browsing keeps the user's sort
        await pilot.press("f2")
        await settle(pilot)
        assert screen.sort_key == "priority"
        shown = screen.shown_ids()
        undecided = [rid for rid, _ in service.ranked_undecided()]
        assert shown[: len(undecided)] == undecided  # best-ranked undecided first
        decided = shown[len(undecided) :]
        assert len(decided) == 4
        assert all(service.annotations.get(rid).decision != "undecided" for rid in decided)
        scores = [service.score(rid) for rid in undecided]
        assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
        await pilot.press("f2")  # leaving screening mode gives the sort back
        await settle(pilot)
        assert screen.sort_key == "added"


async def test_a_sort_the_user_chose_wins(ranked_app: PeerlitApp) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        await pilot.press("s")  # year
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert screen.sort_key == "year"


async def test_n_goes_to_the_best_ranked_undecided_record_of_the_filter(
    ranked_app: PeerlitApp,
) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        service = _service(screen)
        screen.filter_bar.set_value("peer")
        await settle(pilot)
        shown = screen.shown_ids()
        undecided = [r for r in shown if service.annotations.get(r).decision == "undecided"]
        assert 2 <= len(undecided) < len(shown) < 15
        best = max(undecided, key=lambda rid: service.score(rid) or 0.0)
        # The list is in library order: the best-ranked record is not the next undecided row.
        linear = next(r for r in shown[1:] if r in undecided)
        assert best != linear
        screen.record_list.focus()
        await pilot.press("n")
        await settle(pilot)
        assert screen.record_list.current_id == best
        assert best in shown  # never a record outside the filter


async def test_n_without_a_ranking_goes_to_the_next_undecided_record(
    ui_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "missing.toml"))
    ids = decide_at(ui_library, {1: "include", 2: "include"})
    app = make_test_app(ui_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = _screen(pilot)
            assert screen.ranking.service is not None and screen.ranking.service.result is None
            await pilot.press("n")
            await settle(pilot)
            assert screen.record_list.current_id == ids[3]
    finally:
        app.close_services()


async def test_the_score_column_shows_each_records_level(ranked_app: PeerlitApp) -> None:
    async with ranked_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        service = _service(screen)
        records = screen.record_list
        ids = records.columns.ids
        levels = set()
        for line in range(min(10, len(records.rows))):
            rid = ids[records.rows[line]]
            level = service.level(rid)
            assert level is not None
            levels.add(level)
            # " ✓ " (decision glyph), then the score bar and a space.
            assert records.render_line(line).text[3] == LEVEL_GLYPHS[level], rid
        assert len(levels) > 2  # deciles, not one value for all


async def test_no_score_column_until_the_library_is_ranked(
    ui_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "missing.toml"))
    app = make_test_app(ui_library)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = _screen(pilot).record_list.render_line(0).text
            assert line[3] not in LEVEL_GLYPHS + NO_SCORE
    finally:
        app.close_services()


async def test_w_shows_why_a_record_ranks_high(ranked_app: PeerlitApp) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        service = _service(screen)
        best = service.next_undecided()
        assert best is not None and screen.record_list.move_to(best)
        await settle(pilot)
        why = screen.detail.query_one("#detail-why")
        assert not why.display
        await pilot.press("w")
        await settle(pilot)
        assert why.display
        heaviest = [t.term for t in service.explain(best, 24)]
        terms = [t for t in heaviest if not set(t.split()) <= ENGLISH_STOP_WORDS][:6]
        assert terms
        text = str(why.render())
        assert "Ranked" in text and all(term in text for term in terms)
        # Function words the model weighs ("the", "to") tell a reader nothing: left out.
        shown = text.split(" for ", 1)[1].split(" · ")
        assert [t.strip() for t in shown] == terms
        level = service.level(best)
        assert f"{level}/9" in text
        # The terms are marked in the record's own text, like include-words.
        title = screen.detail.query_one("#detail-title").render()
        sections = [w.body.render() for w in screen.detail.section_widgets]
        marked = [
            span
            for content in (title, *sections)
            for span in getattr(content, "spans", [])
            if span.style == RANK_WORD
        ]
        assert marked
        await pilot.press("w")
        await settle(pilot)
        assert not why.display


async def test_the_status_line_says_what_the_ranking_learned_from(
    ranked_app: PeerlitApp,
) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        assert "ranked by 4 decisions, just now" in screen.status.left_text


async def test_a_library_that_cannot_be_ranked_says_why(
    ui_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "missing.toml"))
    decide_at(ui_library, {0: "include", 1: "include"})
    app = make_test_app(ui_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = _screen(pilot)
            await pilot.press("f2")
            await settle(pilot)
            assert "not ranked yet: exclude at least one record" in screen.status.left_text
            assert screen.sort_key == "added"
            await pilot.press("P")
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any("Cannot rank yet: exclude at least one record" in m for m in messages)
            await pilot.press("w")
            await settle(pilot)
            why = str(screen.detail.query_one("#detail-why").render())
            assert "not ranked yet: exclude at least one record" in why
    finally:
        app.close_services()


async def test_retraining_runs_in_a_worker_thread_while_the_keys_still_work(
    ranked_app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    threads: list[threading.Thread] = []
    original = RankingService.retrain_in_subprocess

    def slow_retrain(self: RankingService, cancelled: Any = None) -> Any:
        threads.append(threading.current_thread())
        release.wait(10)
        return original(self, cancelled)

    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        monkeypatch.setattr(RankingService, "retrain_in_subprocess", slow_retrain)
        await pilot.press("f2", "n")  # to the best-ranked undecided record
        await settle(pilot)
        start = screen.record_list.cursor
        for _ in range(10):  # the cadence: a retrain after 10 decisions
            await pilot.press("i")
            await pilot.pause(0.05)
        counts = screen.services.annotations.decision_counts() if screen.services else {}
        assert screen.ranking.running, (screen.ranking.since, counts)
        assert "ranking again…" in screen.status.left_text
        workers = [w for w in ranked_app.workers if w.group == "ranking" and w.is_running]
        assert len(workers) == 1 and workers[0]._thread_worker
        assert threads and threads[0] is not threading.main_thread()
        # The UI keeps answering while the model trains.
        moved = screen.record_list.cursor
        await pilot.press("k")
        await pilot.pause(0.05)
        assert screen.record_list.cursor == moved - 1 and moved > start
        release.set()
        await settle(pilot)
        assert not screen.ranking.running
        assert "ranked by 14 decisions" in screen.status.left_text


async def test_a_result_for_a_library_no_longer_shown_is_dropped(
    ranked_app: PeerlitApp,
) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = _screen(pilot)
        ranking = screen.ranking
        kept = ranking.service
        ranking.start()  # a retrain of the current library …
        ranking._generation += 1  # … overtaken by another library being opened
        await settle(pilot)
        assert ranking.service is kept and not ranking.running


async def test_team_screening_skips_what_this_reviewer_decided(
    ui_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "missing.toml"))
    decide_at(ui_library, {0: "include", 1: "include", 12: "exclude", 14: "exclude"}, "ann")
    decide_at(ui_library, {0: "include", 1: "include", 12: "exclude", 14: "exclude"}, "bob")
    monkeypatch.setenv("PEERLIT_REVIEWER", "ann")
    app = make_test_app(ui_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = _screen(pilot)
            service = _service(screen)
            best = service.next_undecided()
            assert best is not None
            service.annotations.set_decision([best], "include")  # ann's; bob has not decided
            assert best in service.annotations.store.index.team.pending
            await pilot.press("n")
            await settle(pilot)
            current = screen.record_list.current_id
            assert current is not None and current != best
            assert current == service.next_undecided(mine=True)
    finally:
        app.close_services()


async def test_the_first_ranking_freezes_what_it_loaded_for_the_collector(
    ranked_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    import peerlit_tui.ui.controllers.ranking as controller

    ranked_then: list[bool] = []
    app = make_test_app(ranked_library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(pilot)

            def freeze() -> None:
                service = screen.ranking.service
                ranked_then.append(service is not None and service.result is not None)

            monkeypatch.setattr(controller, "gc", SimpleNamespace(freeze=freeze))
            await settle(pilot)
            assert ranked_then == [True]  # once, the ranking's modules loaded
            screen.ranking.start()
            await settle(pilot)
            assert ranked_then == [True]  # later rankings load nothing new
    finally:
        app.close_services()


async def test_a_library_that_cannot_rank_still_freezes_the_modules_once(
    ui_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    import peerlit_tui.ui.controllers.ranking as controller

    calls: list[int] = []
    monkeypatch.setattr(controller, "gc", SimpleNamespace(freeze=lambda: calls.append(1)))
    app = make_test_app(ui_library)  # nothing decided: the worker finds it cannot rank
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = _screen(pilot)
            assert screen.ranking.service is None or screen.ranking.service.result is None
            screen.ranking.start()
            await settle(pilot)
            assert calls == [1]
    finally:
        app.close_services()
