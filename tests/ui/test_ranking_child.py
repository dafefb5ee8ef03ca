"""The main screen's retrain in a child process: a death is told, leaving the app reaps it."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest
from textual.pilot import Pilot

from peerlit_tui.services import ranking_process
from peerlit_tui.services.ranking import RankingService
from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.screens.main import MainScreen
from tests.ranking.test_ranking_process import FAKE, children, earlier_children  # noqa: F401
from tests.ui.conftest import settle


async def _until(pilot: Pilot[Any], condition: Any, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


def _screen(pilot: Pilot[Any]) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def _rank_again_with_fake_child(
    pilot: Pilot[Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[MainScreen, RankingService]:
    """Once the first ranking is in, `P` starts a retrain in the test's slow fake child."""
    await settle(pilot)
    screen = _screen(pilot)
    service = screen.ranking.service
    assert service is not None and service.result is not None
    monkeypatch.setattr(ranking_process, "CHILD_MODULE", FAKE)
    await pilot.press("P")  # rank now
    return screen, service


async def test_the_first_ranking_comes_from_a_child_process(ranked_app: PeerlitApp) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        service = _screen(pilot).ranking.service
        assert service is not None and service.result is not None
        assert service._features.ids == []  # the app's process built no feature matrix
        assert service.explain(service.ranked_ids()[0]) is not None
    assert children() == []


async def test_a_killed_retrain_is_told_in_one_line_and_the_ranking_kept(
    ranked_app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        screen, service = await _rank_again_with_fake_child(pilot, monkeypatch)
        kept = service.result
        await _until(pilot, lambda: service.retrain_pid is not None)
        assert "ranking again…" in screen.status.left_text
        pid = service.retrain_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await settle(pilot)
        messages = [str(n.message) for n in ranked_app._notifications]
        assert (
            "Ranking stopped: the ranking process was stopped by SIGKILL. "
            "The last ranking is kept. Press P to rank again."
        ) in messages
        assert not any("Traceback" in m for m in messages)
        assert service.result is kept and not screen.ranking.running
        assert screen.status.left_text.count("ranked by 4 decisions") == 1
        assert children() == []


async def test_leaving_the_app_stops_and_reaps_a_running_retrain(
    ranked_app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        _, service = await _rank_again_with_fake_child(pilot, monkeypatch)
        await _until(pilot, lambda: service.retrain_pid is not None)
        assert [pid for pid, _ in children()] == [service.retrain_pid]
        await pilot.press("ctrl+q")
    # The worker sees it is cancelled within a poll and reaps the child: no zombie left.
    for _ in range(100):
        if not children():
            break
        await asyncio.sleep(0.05)
    assert children() == []


async def test_a_newer_request_replaces_the_running_retrain(
    ranked_app: PeerlitApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with ranked_app.run_test(size=(120, 40)) as pilot:
        screen, service = await _rank_again_with_fake_child(pilot, monkeypatch)
        await _until(pilot, lambda: service._job is not None and service._job.features_ready)
        first = service.retrain_pid
        await pilot.press("P")  # newer decisions, or "rank now" again
        await _until(pilot, lambda: service.retrain_pid not in (None, first))
        assert first not in [pid for pid, _ in children()]
        assert screen.ranking.running
        service.cancel_retrain()
        await _until(pilot, lambda: not screen.ranking.running)
    assert children() == []
