"""The command line prints no escape sequence or control, whatever the library files hold.

Text is cleaned on import, but a library folder may come from elsewhere: here a
`records.sqlite3` row and a journal line are written by another program, escape
sequences included, and the real `peerlit` (a subprocess, stdout piped) must print
them harmless.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DATA

PAYLOAD = "\x1b]52;c;ZWNobyBQV05FRA==\x07\x1b]0;TITLE\x07\x1b[2J\x1b[31m\x9b31m\u202e\x07\x00"
#: Bytes no command may print: ESC, C0 other than TAB/LF (CR only before LF), C1, bidi.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def _peerlit(library: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "peerlit_tui", "--library", str(library), *args],
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    library = tmp_path_factory.mktemp("tampered") / "library"
    assert _peerlit(library, "import", str(SAMPLE_DATA / "emerald_peer_support_results.txt"))
    listed = _peerlit(library, "list", "--json")
    record_id = json.loads(listed.stdout)[0]["id"]
    assert _peerlit(library, "tag", record_id, "plain").returncode == 0
    # Another program writes escapes straight into the record row...
    with sqlite3.connect(library / "records.sqlite3") as db:
        (data,) = db.execute("SELECT data FROM records WHERE id = ?", (record_id,)).fetchone()
        record = json.loads(data)
        record["title"] = f"Evil {PAYLOAD} title"
        record["journal"] = f"Journal {PAYLOAD}"
        db.execute(
            "UPDATE records SET title = ?, journal = ?, data = ? WHERE id = ?",
            (record["title"], record["journal"], json.dumps(record), record_id),
        )
    # ...and a journal line holding a note, a tag and a label with escapes.
    journal = library / "annotations.journal"
    lines = journal.read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    entry = {
        **last,
        "seq": last["seq"] + 1,
        "txn": "ffffffffffff",
        "label": f"label {PAYLOAD}",
        "changes": [
            {"id": record_id, "field": "note", "old": "", "new": f"note {PAYLOAD}"},
            {"id": record_id, "field": "tags", "old": ["plain"],
             "new": ["plain", f"tag{PAYLOAD}"]},
        ],
    }  # fmt: skip
    with journal.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
    return library, record_id


COMMANDS = [
    ("list",),
    ("list", "--json"),
    ("list", "evil"),
    ("show", "{id}"),
    ("show", "{id}", "--json"),
    ("history", "{id}"),
    ("tags",),
    ("duplicates",),
    ("stats",),
    ("export", "--format", "md"),
    ("export", "--format", "ris"),
    ("export", "--format", "csv"),
    ("show", "no-such-record-\x1b]0;x\x07"),
    ("undo",),  # prints the tampered label; last, as it changes the annotations
    ("history", "{id}"),
]


@pytest.mark.parametrize(
    "command", COMMANDS, ids=[" ".join(c) + f" #{n}" for n, c in enumerate(COMMANDS)]
)
def test_no_escape_reaches_the_terminal(
    tampered: tuple[Path, str], command: tuple[str, ...]
) -> None:
    library, record_id = tampered
    done = _peerlit(library, *(arg.format(id=record_id) for arg in command))
    out = done.stdout.decode("utf-8")
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err
    for stream in (out, err):
        found = _FORBIDDEN.search(stream)
        assert found is None, (command, stream[max(0, found.start() - 40) : found.end() + 40])
    assert done.returncode in (0, 2)


def test_the_tampered_content_is_shown_cleaned(tampered: tuple[Path, str]) -> None:
    library, record_id = tampered
    shown = _peerlit(library, "show", record_id).stdout.decode("utf-8")
    assert "Evil" in shown and "title" in shown
    assert "Journal" in shown
