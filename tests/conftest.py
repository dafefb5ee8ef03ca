"""Shared fixtures: paths to bundled fixtures and to the optional shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_DATA = ROOT / "sample_data"
# Real export files that only development machines have; tests using them skip elsewhere.
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user config at an empty temporary path, so no developer's file leaks in."""
    path = tmp_path / "user-config" / "config.toml"
    monkeypatch.setenv("PEERLIT_CONFIG", str(path))
    return path


@pytest.fixture
def fixtures() -> Path:
    """Folder of small, permissively licensed export files shipped with the tests."""
    return FIXTURES


@pytest.fixture
def shared_data() -> Path:
    """Folder of the large shared corpus; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("shared export corpus not available on this machine")
    return SHARED_DATA


@pytest.fixture
def library_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty library folder, also exported as PEERLIT_LIBRARY for CLI calls."""
    folder = tmp_path / "library"
    monkeypatch.setenv("PEERLIT_LIBRARY", str(folder))
    return folder
