"""What `list`, `show`, `stats`, `decide` and `tag` print stays the same, byte for byte.

A scripted session on the sample library (import, look-ups, decisions, tags, the
queries that read annotations) is compared with the transcript recorded from the
command line before its start-up and library-opening paths were made lazy
(`golden/session.txt`). Only what differs between any two runs is replaced: the
library folder, the sample's path, and timestamps.

To record a new transcript after an intended change of output:
`PEERLIT_WRITE_GOLDEN=1 .venv/bin/pytest tests/cli/test_output_stability.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.cli.helpers import SAMPLE, run

GOLDEN = Path(__file__).parent / "golden" / "session.txt"
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def _script(ids: list[str]) -> list[list[str]]:
    """The commands of the session, in order (later ones see the earlier changes)."""
    a, b, c = ids[0], ids[1], ids[2]
    return [
        ["list"],
        ["list", "--json"],
        ["list", "peer", "--limit", "3"],
        ["list", "peer", "support", "--limit", "2", "--json"],
        ["list", "year:2020..2030"],
        ["show", a],
        ["show", a, "--json"],
        ["stats"],
        ["stats", "--json"],
        ["decide", a, "include"],
        ["decide", b, "exclude", "--reason", "wrong population"],
        ["tag", a, "rct", "peer-led"],
        ["tag", b, "rct"],
        ["tag", b, "rct", "--remove"],
        ["list", "decision:include"],
        ["list", "tag:rct", "--json"],
        ["list", "--limit", "1", "--", "-decision:undecided"],
        ["show", a],
        ["show", b, "--json"],
        ["stats"],
        # After the last `stats`: decisions made in one second are ordered by id there.
        ["decide", c, "maybe", "--json"],
        ["list", "decision:maybe", "--json"],
        ["decide", a, "undecided"],
        ["show", a, "--json"],
    ]


def _normalised(text: str, lib: Path) -> str:
    text = text.replace(str(lib), "<LIB>").replace(str(SAMPLE), "<SAMPLE>")
    return _STAMP.sub("<TIME>", text)


def session(lib: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the session in `lib`; every command's exit code, stdout and stderr."""
    assert run(lib, "import", str(SAMPLE)) == 0
    capsys.readouterr()
    assert run(lib, "list", "--json") == 0
    ids = re.findall(r'"id": "([^"]+)"', capsys.readouterr().out)
    out = []
    for argv in _script(ids):
        code = run(lib, *argv)
        got = capsys.readouterr()
        out.append(f"$ peerlit {' '.join(argv)}\n[exit {code}]\n{got.out}[stderr]\n{got.err}")
    return _normalised("\n".join(out), lib)


def test_the_session_prints_what_it_printed_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLIT_REVIEWER", "alice")
    monkeypatch.setenv("PEERLIT_CONFIG", os.devnull)
    got = session(tmp_path / "lib", capsys)
    if os.environ.get("PEERLIT_WRITE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    want = GOLDEN.read_text(encoding="utf-8")
    assert got.splitlines() == want.splitlines()
    assert got == want
