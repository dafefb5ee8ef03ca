"""`peerlit export` and `peerlit stats` from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TextIO

import pytest

from peerlit_tui import exporters
from peerlit_tui.cli import main
from tests.conftest import FIXTURES, SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"


def run(lib: Path, *argv: str) -> int:
    return main(["--library", str(lib), *argv])


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    assert run(folder, "import", str(SAMPLE)) == 0
    assert (
        run(folder, "import", "--source", "Scopus", str(FIXTURES / "exports" / "scopus_search.ris"))
        == 0
    )
    return folder


def test_export_query_to_stdout(lib: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(lib, "decide", "10.5555/peer.2020.001", "include") == 0
    capsys.readouterr()
    assert run(lib, "export", "decision:include", "--format", "ris") == 0
    out = capsys.readouterr().out
    assert out.count("TY  - ") == 1
    assert "DO  - 10.5555/peer.2020.001" in out and "peerlit decision: include" in out
    assert run(lib, "export", 'title:"recovery colleges"', "--format", "csljson") == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["custom"]["peerlit"]["id"] for i in items] == ["10.5555/peer.2019.002"]


def test_export_to_a_file_guesses_the_format_from_the_extension(
    lib: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.csv"
    capsys.readouterr()
    assert run(lib, "export", "-o", str(target)) == 0
    assert capsys.readouterr().out == f"12 records written to {target} (CSV)\n"
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig", newline="")))
    assert len(rows) == 12 and rows[-1]["databases"] == "Scopus"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not the temp file's mode
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []


def test_a_failed_export_leaves_the_old_file_untouched(
    lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.ris"
    target.write_text("previous export\n", encoding="utf-8")

    def broken(items: object, name: str, stream: TextIO, **kwargs: object) -> int:
        stream.write("TY  - JOUR\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporters, "export", broken)
    assert run(lib, "export", "-o", str(target)) == 2
    assert "cannot write" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library", "out.ris"]


def test_export_usage_errors(lib: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(lib, "export", "(peer", "--format", "ris") == 2
    assert "bad query" in capsys.readouterr().err
    assert run(lib, "export", "-o", str(lib / "x.unknown")) == 2
    assert "--format ris|bibtex|csv|csljson|md" in capsys.readouterr().err
    assert run(lib, "export", "-o", str(lib / "missing" / "x.ris")) == 2
    assert "cannot write" in capsys.readouterr().err


def test_stats_text_json_and_prisma_csv(
    lib: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(lib, "decide", "10.5555/peer.2020.001", "exclude", "--reason", "off topic", "--add-reason")
    capsys.readouterr()
    assert run(lib, "stats") == 0
    out = capsys.readouterr().out.split("\n")
    assert out[0] == "Records identified: 12"
    assert out[1] == "  Emerald Insight       10  " + "█" * 30
    assert out[2] == "  Scopus                 2  " + "█" * 6
    assert "Records screened: 1 of 12" in out and "    off topic: 1" in out
    prisma = tmp_path / "prisma.csv"
    assert run(lib, "stats", "--json", "--prisma-csv", str(prisma)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identification"]["by_database"] == {"Emerald Insight": 10, "Scopus": 2}
    assert data["screening"]["excluded_by_reason"] == {"off topic": 1}
    rows = {r["data"]: r["n"] for r in csv.DictReader(prisma.open(encoding="utf-8"))}
    assert rows["database_specific_results"] == "Emerald Insight, 10; Scopus, 2"
    assert rows["records_excluded"] == "1"


def test_import_json_always_reports_restored_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(tmp_path / "lib", "import", str(SAMPLE), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["annotations_restored"] == 0
    assert data["annotations"] == {
        "found": 0,
        "restored": 0,
        "conflicts": [],
        "unmatched": [],
        "reasons_added": [],
        "problems": [],
    }
