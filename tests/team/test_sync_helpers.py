"""Shared set-up of the sync tests: two machines' libraries and a bare git remote."""

from __future__ import annotations

import io
import json
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from peerlit_tui.cli import main
from tests.conftest import SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"

# Hand-worked table over records 0..5 screened by both (6 by alice only, 7 by bob only):
#            bob: include  exclude
# alice include      2        1
# alice exclude      1        2
# p_o = 4/6; p_e = (3/6)(3/6) + (3/6)(3/6) = 1/2; κ = (2/3 - 1/2) / (1/2) = 1/3.
ALICE = ["include", "include", "include", "exclude", "exclude", "exclude", "include", None]
BOB = ["include", "include", "exclude", "include", "exclude", "exclude", None, "maybe"]
#: Records 2 and 3 are the conflicts; 0, 1 agree on include, 4, 5 on exclude.
CONFLICTS = (2, 3)
KAPPA = 1 / 3


def run(lib: Path, *argv: str) -> tuple[int, str, str]:
    """Run the command line on a library; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--library", str(lib), *argv])
    return code, out.getvalue(), err.getvalue()


def ok(lib: Path, *argv: str) -> str:
    code, out, err = run(lib, *argv)
    assert code == 0, (argv, out, err)
    return out


def as_json(lib: Path, *argv: str) -> Any:
    return json.loads(ok(lib, *argv, "--json"))


def bare_remote(folder: Path) -> Path:
    remote = folder / "team.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    return remote


def ids_of(lib: Path) -> list[str]:
    return [item["id"] for item in as_json(lib, "list")]


def screen(lib: Path, who: str, ids: list[str], decisions: list[str | None]) -> None:
    for rid, decision in zip(ids, decisions, strict=False):
        if decision is not None:
            ok(lib, "--reviewer", who, "decide", rid, decision)


def sync(lib: Path, who: str, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = as_json(lib, "--reviewer", who, "sync", *extra)
    return data


def view(lib: Path, who: str) -> dict[str, Any]:
    """What a reviewer's library reports: decisions, PRISMA counts, conflicts, κ."""
    records = as_json(lib, "--reviewer", who, "list")
    decisions = {}
    for item in records:
        shown = as_json(lib, "--reviewer", who, "show", item["id"])
        # "created" and "updated" say when this library's copy changed: local times.
        kept = {k: v for k, v in shown["annotations"].items() if k not in ("created", "updated")}
        decisions[item["id"]] = (shown.get("decisions"), kept)
    stats = as_json(lib, "stats")
    return {
        "ids": sorted(i["id"] for i in records),
        "decisions": decisions,
        "stats": stats,
        "conflicts": as_json(lib, "--reviewer", who, "conflicts"),
        "agreement": as_json(lib, "agreement"),
    }
