"""Syncing from the app: the key (and palette entry) runs a sync in a worker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from peerlit_tui.ui.controllers.sync import STATUS_PART
from peerlit_tui.ui.screens.main import MainScreen
from tests.team.test_sync_helpers import SAMPLE, as_json, bare_remote, ids_of, ok, run, sync
from tests.ui.conftest import running_app, settle

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


async def test_sync_from_the_app_brings_in_the_teams_decisions(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    assert run(alice, "import", str(SAMPLE))[0] in (0, 1)
    sync(alice, "alice", "--remote", str(remote))
    sync(bob, "bob", "--remote", str(remote))
    ids = ids_of(bob)
    ok(bob, "--reviewer", "bob", "decide", ids[0], "include")
    sync(bob, "bob")
    async with running_app(alice, size=(120, 40)) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = screen.status.extras[STATUS_PART]
        assert before != "never"  # the last sync is shown from the start
        await pilot.press("f6")
        await settle(pilot)
        assert not screen.sync.running
        assert screen.status.extras[STATUS_PART] not in ("syncing…", "never")
        services = screen.services
        assert services is not None
        assert services.annotations.store.index.team.by_record[ids[0]]["bob"][0] == "include"
    assert as_json(alice, "sync", "--status")["last_sync"]


async def test_sync_from_the_app_without_a_remote_says_how_to_connect(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert run(lib, "import", str(SAMPLE))[0] in (0, 1)
    async with running_app(lib, size=(120, 40)) as (app, pilot):
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert STATUS_PART not in screen.status.extras
        await pilot.press("f6")
        await settle(pilot)
        texts = [n.message for n in app._notifications]
        assert any("peerlit sync --remote URL" in t for t in texts)
        assert STATUS_PART not in screen.status.extras
