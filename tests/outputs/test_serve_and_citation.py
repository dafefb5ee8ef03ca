"""`peerlit serve` (without starting a server) and the citation service."""

from __future__ import annotations

import os
import re
import shlex
import sys
import types
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy

from peerlit_tui.cli import main
from peerlit_tui.cli.serve_command import missing_extra, served_command
from peerlit_tui.model import Author, Record
from peerlit_tui.services.citation import bibtex_entry, doi_text, link_for, ris_entry


def test_serve_without_the_extra_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    monkeypatch.setitem(sys.modules, "peerlit_tui.cli.serve_app", None)  # even once loaded
    code = main(["--library", str(tmp_path / "lib"), "serve"])
    assert code == 2
    err = capsys.readouterr().err
    assert missing_extra() in err
    # The hint names installs that exist: the checkout's extra, or the package itself
    # (peerlit-tui is not on a package index, so `pip install 'peerlit-tui[serve]'` fails).
    assert "pip install -e '.[serve]'" in err
    assert "'textual-serve>=1.1,<2'" in err
    assert "peerlit-tui[serve]" not in err


def test_serve_runs_the_app_on_the_same_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []

    class FakeServer:
        def __init__(self, command: str, **kwargs: Any) -> None:
            calls.append({"command": command, **kwargs})

        def serve(self) -> None:
            calls.append({"served": True})

    server_module = types.ModuleType("peerlit_tui.cli.serve_app")
    server_module.PeerlitServer = FakeServer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "peerlit_tui.cli.serve_app", server_module)
    library = tmp_path / "my lib"
    assert main(["--library", str(library), "serve", "--port", "8123"]) == 0
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123
    assert calls[0]["public_url"] is None  # URLs come from each request
    assert calls[1] == {"served": True}
    argv = shlex.split(calls[0]["command"])
    assert argv == [sys.executable, "-m", "peerlit_tui", "--library", str(library.resolve()), "tui"]
    assert "http://127.0.0.1:8123" in capsys.readouterr().out


def test_serve_passes_the_public_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []

    class FakeServer:
        def __init__(self, command: str, **kwargs: Any) -> None:
            calls.append(kwargs)

        def serve(self) -> None:
            pass

    server_module = types.ModuleType("peerlit_tui.cli.serve_app")
    server_module.PeerlitServer = FakeServer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "peerlit_tui.cli.serve_app", server_module)
    url = "https://review.example.org/peerlit/"
    assert main(["--library", str(tmp_path), "serve", "--public-url", url]) == 0
    assert calls == [{"host": "127.0.0.1", "port": 8000, "public_url": url}]
    assert url in capsys.readouterr().out


def test_only_serve_loads_the_web_server() -> None:
    """aiohttp and textual-serve cost every other command nothing: one module names them."""
    package = Path(__file__).resolve().parents[2] / "peerlit_tui"
    users = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"serve_app|textual_serve|aiohttp", path.read_text(encoding="utf-8"))
    }
    assert users == {"cli/serve_app.py", "cli/serve_command.py"}


def test_served_sessions_run_as_the_reviewer_of_the_serve_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """textual-serve starts each session with this process's environment, reviewer included."""
    seen: list[str | None] = []

    class FakeServer:
        def __init__(self, command: str, **kwargs: Any) -> None:
            pass

        def serve(self) -> None:
            seen.append(os.environ.get("PEERLIT_REVIEWER"))

    server_module = types.ModuleType("peerlit_tui.cli.serve_app")
    server_module.PeerlitServer = FakeServer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "peerlit_tui.cli.serve_app", server_module)
    monkeypatch.delenv("PEERLIT_REVIEWER", raising=False)
    assert main(["--library", str(tmp_path), "--reviewer", "alice", "serve"]) == 0
    assert seen == ["alice"]


def test_served_command_quotes_paths(tmp_path: Path) -> None:
    folder = tmp_path / "a b;rm -rf x"
    assert shlex.split(served_command(folder, "/usr/bin/python3"))[4] == str(folder.resolve())


def test_bad_port_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--library", str(tmp_path), "serve", "--port", "0"]) == 2
    assert "--port" in capsys.readouterr().err


RECORD = Record(
    id="10.1108/mhsi-01-2024-0001",
    type="article",
    title="Peer support in crisis teams",
    authors=[Author("Gray, Benjamin T.", family="Gray", given="Benjamin T.", inverted=True)],
    year=2024,
    date="2024",
    journal="Mental Health and Social Inclusion",
    volume="28",
    issue="4",
    pages="1-10",
    doi="10.1108/mhsi-01-2024-0001",
)


def test_entries_parse_back() -> None:
    ris = rispy.loads(ris_entry(RECORD))
    assert len(ris) == 1 and ris[0]["doi"] == RECORD.doi
    assert ris[0]["title"] == RECORD.title
    library = bibtexparser.parse_string(bibtex_entry(RECORD))
    assert len(library.entries) == 1
    assert library.entries[0]["doi"] == RECORD.doi


def test_links() -> None:
    assert doi_text(RECORD) == RECORD.doi
    assert link_for(RECORD) == "https://doi.org/" + RECORD.doi
    assert link_for(Record(id="x", url="https://example.org/a")) == "https://example.org/a"
    assert link_for(Record(id="x", url="javascript:alert(1)")) == ""
    assert link_for(Record(id="x")) == ""
