"""Running `peerlit` in-process and as a subprocess, on small libraries."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peerlit_tui.cli import main
from tests.conftest import ROOT, SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"


class Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(lib: Path, *argv: str) -> int:
    return main(["--library", str(lib), *argv])


def run_json(lib: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert run(lib, *argv, "--json") == 0
    return json.loads(capsys.readouterr().out)


def sample_library(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Import the sample into `folder`; the record ids in library order."""
    assert run(folder, "import", str(SAMPLE)) == 0
    ids = [item["id"] for item in run_json(folder, capsys, "list")]  # type: ignore[attr-defined]
    capsys.readouterr()
    return ids


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLIT_", "_ARGCOMPLETE"))}
    env["PYTHONPATH"] = str(ROOT)
    env["PEERLIT_CONFIG"] = os.devnull
    return {**env, **extra}


def peerlit(*argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`peerlit ARGV` in a fresh interpreter, output captured (so stdout is a pipe)."""
    return subprocess.run(
        [sys.executable, "-m", "peerlit_tui", *argv],
        capture_output=True,
        text=True,
        env=subprocess_env(**extra),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
