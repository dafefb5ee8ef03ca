"""`peerlit simulate`, `peerlit rank` and the stopping block of `peerlit stats`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from peerlit_tui.cli import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ranking" / "labelled_small.csv"
KEYS = {
    "records", "inclusions", "wss95", "recall_at_10pct", "recall_at_20pct",
    "screened_to_95", "screened_to_100", "seconds", "model",
}  # fmt: skip


def test_simulate_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(["--library", str(tmp_path), "simulate", str(FIXTURE), "--json", "--seed", "3"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert KEYS <= set(data)
    assert (data["records"], data["inclusions"]) == (160, 20)
    assert data["screened_to_95"] <= data["screened_to_100"] <= 160
    assert data["wss95"] == pytest.approx((160 - data["screened_to_95"]) / 160 - 0.05, abs=1e-4)
    assert data["wss95"] > 0.3  # the fixture's inclusions share their words


def test_simulate_text_and_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--library", str(tmp_path), "simulate", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "WSS@95" in out and "read to find 95 %" in out
    unlabelled = tmp_path / "plain.csv"
    unlabelled.write_text("title,abstract\nA study,Text\nAnother,More\n", encoding="utf-8")
    assert main(["--library", str(tmp_path), "simulate", str(unlabelled)]) == 2
    assert "no record has a label" in capsys.readouterr().err
    assert main(["--library", str(tmp_path), "simulate", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_rank_lists_undecided_records(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lib = ["--library", str(tmp_path / "lib")]
    assert main([*lib, "import", str(FIXTURE)]) == 0
    assert main([*lib, "rank"]) == 1
    assert "cannot rank yet: no record has been included or excluded" in capsys.readouterr().err
    assert main([*lib, "list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    by_title = {item["title"]: item["id"] for item in items}
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    inc = [by_title[r["title"]] for r in rows if r["label_included"] == "1"][:2]
    exc = [by_title[r["title"]] for r in rows if r["label_included"] == "0"][:2]
    for rid in inc:
        assert main([*lib, "decide", rid, "include"]) == 0
    for rid in exc:
        assert main([*lib, "decide", rid, "exclude"]) == 0
    capsys.readouterr()
    assert main([*lib, "rank", "--limit", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_decisions"] == len(inc) + len(exc)
    ids = [r["id"] for r in data["records"]]
    assert len(ids) == 5 and not set(ids) & set(inc + exc)
    scores = [r["score"] for r in data["records"]]
    assert scores == sorted(scores, reverse=True)

    assert main([*lib, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {"records", "identification", "duplicates", "screening"} <= set(stats)
    stopping = stats["stopping"]
    assert stopping["screened"] == len(inc) + len(exc)
    assert stopping["curve"] == [1, 2, 2, 2]
    assert stopping["since_last_inclusion"] == 2
    assert stopping["heuristic"]["name"] == "SAFE"
    assert main([*lib, "stats"]) == 0
    assert "inclusions found vs records screened" in capsys.readouterr().out


def test_simulate_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lib = ["--library", str(tmp_path)]
    assert main([*lib, "simulate", str(FIXTURE), "--plot", str(tmp_path / "c.pdf")]) == 2
    assert "--plot writes .svg or .png" in capsys.readouterr().err
    pytest.importorskip("matplotlib")
    out = tmp_path / "curve.svg"
    assert main([*lib, "simulate", str(FIXTURE), "--plot", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
