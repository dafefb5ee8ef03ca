"""Every real export file in the shared corpus imports without a traceback, with the right count.

The corpus README lists each file's record count (counted by tags or rows). A file
must give exactly that many records, except files the README or the reference
parsers flag as malformed: there, records read plus records reported as skipped
must account for the count. Skips when the corpus is not on this machine.
"""

from __future__ import annotations

import re

import pytest

from peerlit_tui.importers.pipeline import read_file
from tests.conftest import SHARED_DATA

_SECTION = re.compile(r"^## `([^`]+)/`")
_ROW = re.compile(r"^\| `([^`]+)` \| ([^|]+) \| (\d+) \|")

#: (bibtexparser_tests/messy_bibfile.bib's two blocks bibtexparser rejects are two real
#: papers that reuse a citation key: they are imported, with a warning each.)
#: (metaknowledge/badFile.isi, "deliberately malformed", is testFile.isi minus two
#: records and its closing EF line: all 32 records in it are whole and import, with
#: one warning about the missing end.)
#: Files whose README count includes records that are broken in the file itself;
#: for these, read + skipped must reach the count (and skipped must be reported).
MALFORMED = {
    "bibtexparser_tests/biber-examples.bib": "1 entry bibtexparser cannot read",
}

#: Files where the README's tag count is not the number of records in the file,
#: with the number that is right and why (checked by reading the file).
CORRECTED: dict[str, tuple[int, str]] = {
    "rispy_tests/example_multiline.ris": (
        3,
        "two of the five ER lines are untagged continuation lines inside an abstract",
    ),
    "asreview_tests/baseline_tag_and_field_definitions.ris": (
        1,
        "'ER  - End of Reference' closes the only record; a stray UK line and ER follow",
    ),
}


def shared_files() -> list[tuple[str, int]]:
    """(path relative to the corpus, README record count) for every listed file."""
    readme = SHARED_DATA / "README.md"
    if not readme.exists():
        return []
    out = []
    folder = ""
    for line in readme.read_text(encoding="utf-8").splitlines():
        section = _SECTION.match(line)
        if section:
            folder = section.group(1)
            continue
        row = _ROW.match(line)
        if row and folder:
            out.append((f"{folder}/{row.group(1)}", int(row.group(3))))
    return out


FILES = shared_files()


@pytest.mark.skipif(not FILES, reason="shared export corpus not available on this machine")
@pytest.mark.parametrize(("relative", "expected"), FILES, ids=[f for f, _ in FILES])
def test_shared_file_imports_with_the_readme_count(relative: str, expected: int) -> None:
    path = SHARED_DATA / relative
    result = read_file(path)
    if relative in CORRECTED:
        expected = CORRECTED[relative][0]
    read, skipped = len(result.records), len(result.skipped)
    if expected == 0:
        assert read == 0
        return
    if read == 0:
        # Every record lacks a title, abstract and DOI (test stubs such as
        # citation-js's date-only entries): all reported, none silently lost.
        assert skipped == expected and result.error
        return
    assert result.error is None, result.error
    # Records with nothing to identify them (no title, abstract or DOI: the README
    # counts e.g. 61 empty reference-type stubs) are reported as skipped, never lost
    # silently, so read + skipped accounts for every record in the file.
    for issue in result.skipped:
        assert issue.message
    if relative in MALFORMED:
        assert skipped > 0, "a malformed file must report what it skipped"
        assert read + skipped >= expected
    else:
        assert read + skipped == expected, [i.message for i in result.issues[:5]]
    for record in result.records:
        assert record.id and (record.title or record.doi)
