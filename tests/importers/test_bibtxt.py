"""Tests for the citation-js "bibtxt" importer.

tests/fixtures/bibtxt/multiple_entries.txt comes from citation-js's BibTeX plugin
tests (MIT); the other inputs are written inline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.bibtxt import FORMAT, parse, sniff
from peerlit_tui.importers.pipeline import FileResult
from peerlit_tui.model import Author


def read_txt(
    tmp_path: Path, text: str, encoding: str = "utf-8", format_name: str | None = None
) -> FileResult:
    path = tmp_path / "refs.txt"
    path.write_bytes(text.encode(encoding))
    return read_file(path, format_name=format_name)


def test_multiple_entries_fixture(fixtures: Path) -> None:
    result = read_file(fixtures / "bibtxt" / "multiple_entries.txt")
    assert result.format == "bibtxt"
    assert not result.issues
    faust, cdk = result.records
    # citation-js reads an entry without `type:` as a book.
    assert (faust.type, faust.type_detail) == ("book", "book")
    assert faust.title == "Faust. Der Tragödie Erster Teil"
    assert faust.authors == [Author("J.W. Goethe", "Goethe", "J.W.", False)]
    assert (faust.year, faust.publisher) == (1986, "Reclam")
    assert faust.extra == {"citekey": "Fau86", "address": "Stuttgart"}
    assert [(r.sources[0].line) for r in result.records] == [1, 8]
    assert cdk.type == "article"
    assert [a.family for a in cdk.authors] == [
        "Steinbeck", "Han", "Kuhn", "Horlacher", "Luttmann", "Willighagen",
    ]  # fmt: skip
    assert cdk.journal == "Journal of chemical information and computer sciences"
    assert (cdk.volume, cdk.issue, cdk.pages) == ("43", "2", "493-500")
    assert (cdk.doi, cdk.issn, cdk.isbn) == ("10.1021/ci025584y", "0095-2338", "2214707786")
    assert cdk.url == "http://www.ncbi.nlm.nih.gov/pubmed/12653513"
    assert cdk.extra["pmid"] == "12653513"


def test_blank_lines_empty_labels_and_stray_text(tmp_path: Path) -> None:
    result = read_txt(
        tmp_path,
        "[]\n\n"
        "[first]\n\n    title:   First title\n\n    author: Doe, Jane AND Roe, R.\n"
        "    this line has no colon\n"
        "    note:\n"
        "[empty]\n"
        "[second]\n  type: inproceedings\n  title: Second: with a colon\n"
        '  booktitle: Proc. {\\"U}ber\n',
        # The stray line makes the sniffer decline the file, so the format is forced.
        format_name="bibtxt",
    )
    first, second = result.records
    assert first.title == "First title"
    assert [a.name for a in first.authors] == ["Doe, Jane", "Roe, R."]
    assert "note" not in first.extra
    (warning,) = result.issues
    assert (warning.line, warning.skipped) == (8, False)
    assert "not a 'field: value' line" in warning.message
    assert (second.type, second.title, second.journal) == (
        "conference paper",
        "Second: with a colon",
        "Proc. Über",
    )
    assert second.sources[0].line == 11


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-be", "utf-8-sig"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    abstract = "Le café de la société française était très animé à l'époque. " * 3
    text = (
        "[dupre2019]\n    author: Hélène Dupré\n"
        "    title: La société française – une étude\n    year: 2019\n"
        f"    abstract: {abstract}\n"
    )
    result = read_txt(tmp_path, text, encoding)
    (record,) = result.records
    assert record.title == "La société française – une étude"
    assert record.authors[0].family == "Dupré"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[Fau86]\n    author: J.W. Goethe\n    title: Faust\n", 0.85),
        ("[]\n\n[foo]\n  title: foo\n", 0.85),
        ("[section]\nkey = value\n", 0.0),
        ("[Fau86]\nThis is prose, not fields.\n", 0.0),
        ("[Fau86]\n", 0.0),
        ("TY  - JOUR\nTI  - Title\nER  - \n", 0.0),
        ("PMID- 123\nTI  - Title\n", 0.0),
        ("Title: something\n[x]\n  title: y\n", 0.0),
        ("@article{k, title={T}}\n", 0.0),
    ],
)
def test_sniff_is_strict(text: str, expected: float) -> None:
    assert sniff(SourceFile.from_bytes(Path("x.txt"), text.encode())) == expected


def test_parse_of_nothing_yields_nothing() -> None:
    assert list(parse(SourceFile.from_bytes(Path("x.txt"), b"[]\n\n"))) == []
    assert FORMAT.extensions == ("txt",)


_ROW = re.compile(r"^\| `([^`]+)` \| citation-js bibtxt \| (\d+) \|")


def test_shared_bibtxt_files(shared_data: Path) -> None:
    files, folder = [], ""
    for line in (shared_data / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## `"):
            folder = line[4:].split("`")[0]
        row = _ROW.match(line)
        if row:
            files.append((shared_data / folder / row.group(1), int(row.group(2))))
    assert len(files) == 4
    for path, count in files:
        result = read_file(path)
        assert result.format == "bibtxt", path
        assert (len(result.records), len(result.skipped)) == (count, 0), path
