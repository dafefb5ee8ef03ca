"""Tagged exports read to the same records, field for field, as a committed expectation.

Speed work on the RIS, MEDLINE, Ovid and refer readers and on the shared cleaning,
name, section and id code must not change a single output byte. Each fixture file's
records and issues are written as canonical JSON (the file path made relative, the
import time fixed) and hashed; `expected/tagged_exports.json` holds the hash and the
record count of each file as the readers gave them before that work. When a change
is meant to alter the output, regenerate the expectation by running this module as
a script and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.importers.pipeline import read_file
from tests.conftest import FIXTURES

EXPECTED = Path(__file__).parent / "expected" / "tagged_exports.json"
#: The fixture files of the tagged formats (and the RIS dialects).
FILES = sorted(
    [
        *FIXTURES.glob("ris/*.ris"),
        *FIXTURES.glob("exports/*.ris"),
        *FIXTURES.glob("dialects/*.ris"),
        *FIXTURES.glob("medline/*.nbib"),
        *FIXTURES.glob("ovid/*"),
        *FIXTURES.glob("refer/*"),
        *FIXTURES.glob("wos/*"),
        *FIXTURES.glob("proquest/*"),
    ]
)


def canonical(path: Path) -> tuple[str, int]:
    """(SHA-256 of the canonical JSON of what `read_file` gives, number of records)."""
    result = read_file(path, imported_at="2000-01-01T00:00:00Z")
    records: list[dict[str, Any]] = []
    for record in result.records:
        data = record.to_dict()
        for source in data["sources"]:
            source["file"] = Path(source["file"]).relative_to(FIXTURES.resolve()).as_posix()
        records.append(data)
    document = {
        "format": result.format,
        "encoding": result.encoding,
        "error": result.error,
        "issues": [[i.line, i.message, i.skipped] for i in result.issues],
        "records": records,
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(records)


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(FIXTURES).as_posix() for p in FILES])
def test_output_matches_the_expectation(path: Path) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    digest, count = canonical(path)
    assert [digest, count] == expected[path.relative_to(FIXTURES).as_posix()]


def test_every_file_has_an_expectation() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(expected) == [p.relative_to(FIXTURES).as_posix() for p in FILES]
    assert len(FILES) > 15


if __name__ == "__main__":  # regenerate: python -m tests.importers.test_tagged_output_unchanged
    table = {p.relative_to(FIXTURES).as_posix(): list(canonical(p)) for p in FILES}
    EXPECTED.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(table)} files written to {EXPECTED}", file=sys.stderr)
