"""Two reviewers on one library through the command line: agreement, conflicts, resolve."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.cli import main
from tests.conftest import SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"


def run(lib: Path, *argv: str) -> int:
    return main(["--library", str(lib), *argv])


def run_json(lib: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    assert run(lib, *argv, "--json") == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def lib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[str]]:
    folder = tmp_path / "library"
    assert run(folder, "import", str(SAMPLE)) in (0, 1)
    ids = [item["id"] for item in run_json(folder, capsys, "list")]
    assert len(ids) >= 8
    return folder, ids


# Hand-worked table over records 0..5 screened by both (6 and 7 by one only):
#            bob: include  exclude
# alice include      2        1
# alice exclude      1        2
# p_o = 4/6; p_e = (3/6)(3/6) + (3/6)(3/6) = 1/2; κ = (2/3 - 1/2) / (1/2) = 1/3.
ALICE = ["include", "include", "include", "exclude", "exclude", "exclude", "include", None]
BOB = ["include", "include", "exclude", "include", "exclude", "exclude", None, "maybe"]


def screen(folder: Path, ids: list[str]) -> None:
    for who, decisions in (("alice", ALICE), ("bob", BOB)):
        for rid, decision in zip(ids, decisions, strict=False):
            if decision is not None:
                # --reviewer before the command for alice, after it for bob.
                argv = (
                    ("--reviewer", who, "decide", rid, decision)
                    if who == "alice"
                    else ("decide", rid, decision, "--reviewer", who)
                )
                assert run(folder, *argv) == 0


def test_agreement_equals_the_hand_worked_table(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    screen(folder, ids)
    data = run_json(folder, capsys, "agreement")
    assert data["reviewers"] == ["alice", "bob"]
    assert (data["both_screened"], data["agree"], data["conflicts"]) == (6, 4, 2)
    assert data["cohen_kappa"] == pytest.approx(1 / 3)
    assert data["percent_agreement"] == pytest.approx(400 / 6)
    assert len(data["pairs"]) == 1 and data["pairs"][0]["cohen_kappa"] == pytest.approx(1 / 3)
    listed = run_json(folder, capsys, "reviewers")
    assert listed["reviewers"] == [
        {"name": "alice", "screened": 7},
        {"name": "bob", "screened": 7},
    ]


def test_conflicts_resolve_and_undo(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    screen(folder, ids)
    assert run(folder, "blind", "off") == 0
    found = run_json(folder, capsys, "conflicts")["conflicts"]
    assert sorted(c["id"] for c in found) == sorted([ids[2], ids[3]])
    by_id = {c["id"]: c["decisions"] for c in found}
    assert by_id[ids[2]] == {
        "alice": {"decision": "include", "reason": ""},
        "bob": {"decision": "exclude", "reason": ""},
    }
    # Final decisions: agreed ones count, conflicts and one-sided records do not.
    shown = run_json(folder, capsys, "show", ids[0])
    assert shown["annotations"]["decision"] == "include"
    assert set(shown["decisions"]) == {"alice", "bob"}
    assert run_json(folder, capsys, "show", ids[2])["annotations"]["decision"] == "undecided"
    assert run_json(folder, capsys, "show", ids[6])["annotations"]["decision"] == "undecided"

    out = run_json(folder, capsys, "resolve", ids[2], "exclude", "--reason", "wrong population")
    assert out["decision"] == "exclude"
    assert out["resolution"] == {"decision": "exclude", "reason": "wrong population"}
    remaining = [c["id"] for c in run_json(folder, capsys, "conflicts")["conflicts"]]
    assert remaining == [ids[3]]
    assert run_json(folder, capsys, "show", ids[2])["annotations"]["decision"] == "exclude"

    assert run(folder, "undo") == 0
    back = sorted(c["id"] for c in run_json(folder, capsys, "conflicts")["conflicts"])
    assert back == sorted([ids[2], ids[3]])
    assert run_json(folder, capsys, "show", ids[2])["annotations"]["decision"] == "undecided"


def test_a_reviewer_changing_their_mind_clears_a_conflict(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    screen(folder, ids)
    assert run(folder, "blind", "off") == 0
    assert run(folder, "--reviewer", "bob", "decide", ids[2], "include") == 0
    remaining = [c["id"] for c in run_json(folder, capsys, "conflicts")["conflicts"]]
    assert remaining == [ids[3]]
    assert run_json(folder, capsys, "show", ids[2])["annotations"]["decision"] == "include"
    # The other reviewer's decision was not overwritten.
    decisions = run_json(folder, capsys, "show", ids[3])["decisions"]
    assert decisions["alice"]["decision"] == "exclude"
    assert decisions["bob"]["decision"] == "include"


def test_team_queries(lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    folder, ids = lib
    screen(folder, ids)
    assert run(folder, "blind", "off") == 0

    def listed(query: str) -> list[str]:
        return sorted(item["id"] for item in run_json(folder, capsys, "list", query))

    # decision: is the final decision: the records both reviewers agreed on.
    assert listed("decision:include") == sorted([ids[0], ids[1]])
    assert listed("decision:exclude") == sorted([ids[4], ids[5]])
    assert listed("is:conflict") == sorted([ids[2], ids[3]])
    assert listed("is:pending") == sorted([ids[6], ids[7]])
    assert listed("decision:alice=include") == sorted([ids[0], ids[1], ids[2], ids[6]])
    assert listed("reviewer:bob -reviewer:alice") == [ids[7]]
    assert listed("decision:bob=maybe OR is:conflict") == sorted([ids[2], ids[3], ids[7]])
    assert listed("reviewer:nobody") == []


def test_blind_mode_hides_the_other_reviewers_decisions(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder, ids = lib
    # Alice screens first: records 0-2 included, 3 excluded with a reason.
    for rid in ids[:3]:
        assert run(folder, "--reviewer", "alice", "decide", rid, "include") == 0
    reason = run_json(folder, capsys, "reasons")
    first_reason = reason["reasons"][0] if isinstance(reason, dict) else reason[0]
    assert run(folder, "--reviewer", "alice", "decide", ids[3], "exclude", "--reason",
               first_reason) == 0  # fmt: skip
    # Bob screens record 4 only: now two reviewers, so blind mode (auto) is in effect.
    assert run(folder, "--reviewer", "bob", "decide", ids[4], "maybe") == 0
    assert run_json(folder, capsys, "--reviewer", "bob", "blind")["in_effect"] is True

    shown = run_json(folder, capsys, "--reviewer", "bob", "show", ids[0])
    assert shown["annotations"]["decision"] == "undecided"
    assert shown["decisions"] == {}
    excluded = run_json(folder, capsys, "--reviewer", "bob", "show", ids[3])
    assert (excluded["annotations"]["decision"], excluded["annotations"]["reason"]) == (
        "undecided", "")  # fmt: skip
    assert "alice" not in json.dumps(excluded["decisions"])
    own = run_json(folder, capsys, "--reviewer", "bob", "show", ids[4])
    assert own["annotations"]["decision"] == "maybe"
    assert own["decisions"] == {"bob": {"decision": "maybe", "reason": ""}}

    def listed(who: str, query: str) -> list[str]:
        return [i["id"] for i in run_json(folder, capsys, "--reviewer", who, "list", query)]

    assert listed("bob", "decision:include") == []
    assert listed("bob", "decision:alice=include") == []
    assert listed("bob", "reviewer:alice") == []
    assert listed("bob", "is:pending OR is:conflict") == []
    assert listed("bob", "decision:maybe") == [ids[4]]
    # Alice sees her own.
    assert sorted(listed("alice", "decision:include")) == sorted(ids[:3])

    out = tmp_path / "bob.csv"
    assert run(folder, "--reviewer", "bob", "export", "--format", "csv", "-o", str(out)) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    by_id = {row["id"]: row for row in rows}
    assert {row["decision"] for row in rows} <= {"", "undecided", "maybe"}
    assert all(row["reason"] == "" and row["included"] == "" for row in rows)
    assert by_id[ids[4]]["decision"] == "maybe"

    capsys.readouterr()
    assert run(folder, "--reviewer", "bob", "conflicts") == 2
    assert "blind mode is on" in capsys.readouterr().err

    # The lead turns blind mode off: bob now sees alice's decisions.
    assert run(folder, "blind", "off") == 0
    shown = run_json(folder, capsys, "--reviewer", "bob", "show", ids[3])
    assert shown["decisions"]["alice"] == {"decision": "exclude", "reason": first_reason}
    assert sorted(listed("bob", "decision:alice=include")) == sorted(ids[:3])


def test_a_resolved_record_is_visible_in_blind_mode(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    assert run(folder, "--reviewer", "alice", "decide", ids[0], "include") == 0
    assert run(folder, "--reviewer", "bob", "decide", ids[0], "exclude") == 0
    assert run(folder, "blind", "on") == 0
    assert run(folder, "--reviewer", "lead", "resolve", ids[0], "include") == 0
    shown = run_json(folder, capsys, "--reviewer", "bob", "show", ids[0])
    assert shown["annotations"]["decision"] == "include"
    assert set(shown["decisions"]) == {"alice", "bob"}
