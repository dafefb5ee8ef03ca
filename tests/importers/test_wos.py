from __future__ import annotations

import codecs
import gzip
from pathlib import Path

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.wos import FORMAT, parse, sniff


def test_web_of_science_fields(fixtures: Path) -> None:
    result = read_file(fixtures / "wos" / "synthetic.txt")
    assert result.format == "wos"
    paper, chapter, review = result.records
    assert paper.title == (
        "Peer support workers in early intervention for psychosis: a mixed methods evaluation"
    )
    # AF (full names) preferred to AU ("Lindqvist, A").
    assert [a.name for a in paper.authors] == ["Lindqvist, Astrid", "Nwosu, Chidi Obinna"]
    assert paper.authors[1].given == "Chidi Obinna"
    assert paper.type == "conference paper"
    assert paper.type_detail == "Article; Proceedings Paper"
    assert paper.journal == "JOURNAL OF PSYCHIATRIC SERVICES RESEARCH"
    assert (paper.date, paper.year) == ("2018-08-15", 2018)  # PY 2018 + PD AUG 15
    assert (paper.volume, paper.issue, paper.pages) == ("69", "8", "901-910")
    assert paper.issn == "1234-5679, 2345-678X"  # SN and EI
    assert paper.doi == "10.1000/jpsr.2018.0901"
    # DE author keywords, then Keywords Plus (ID), wrapped over a continuation line.
    assert paper.keywords == [
        "peer support",
        "early intervention",
        "psychosis",
        "SERVICE USERS",
        "MENTAL-HEALTH",
        "RECOVERY-ORIENTED CARE",
        "QUALITATIVE INTERVIEWS",
    ]
    assert [s.key for s in paper.abstract] == ["objective", "methods", "results", "conclusions"]
    assert paper.language == "English"
    assert paper.publisher == "EXAMPLE PUBLISHERS LTD"
    assert paper.extra == {
        "accession": "WOS:000440000000001",
        "pmid": "29000001",
        "times_cited": "7",
    }
    assert paper.sources[0].line == 3

    assert chapter.type == "chapter" and chapter.isbn == "978-1-4000-0000-1"
    assert review.type == "review"
    assert review.pages == "e1234"  # article number when there are no page numbers


def test_malformed_lines_are_reported_with_line_numbers(fixtures: Path) -> None:
    result = read_file(fixtures / "wos" / "synthetic.txt")
    assert len(result.records) == 3
    issues = [(i.line, i.skipped) for i in result.issues]
    assert issues == [(38, False), (56, False), (49, False), (57, False)]
    glued, stray, cut, no_end = (i.message for i in result.issues)
    assert "AU not followed by a space" in glued
    assert result.records[1].authors[0].name == "Garcia, L"  # read from the glued line
    assert "stray text" in stray
    assert "cut off" in cut
    assert "EF" in no_end


def test_lines_outside_records_are_skipped_and_reported() -> None:
    text = (
        "FN Clarivate Analytics Web of Science\nVR 1.0\n"
        "PT J\nTI First\nER\n\n"
        "TI Lost record without PT\nAU Doe, J\nER\n\n"
        "PT J\nTI Second\nER\n\nEF\n"
    )
    parsed = list(parse(SourceFile.from_bytes(Path("x.txt"), text.encode())))
    assert [p.record.title for p in parsed if p.record] == ["First", "Second"]
    (orphan,) = [i for p in parsed for i in p.issues]
    assert orphan.line == 7 and orphan.skipped


def test_bom_crlf_and_file_named_ris(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "wos" / "synthetic.txt").read_text(encoding="utf-8")
    path = tmp_path / "export.ciw"
    path.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"))
    result = read_file(path)
    assert result.format == "wos"
    assert [r.title for r in result.records] == [
        r.title for r in read_file(fixtures / "wos" / "synthetic.txt").records
    ]
    # A Web of Science export saved with a .ris name still reads as WoS.
    named_ris = read_file(fixtures / "wos" / "example_wos.ris")
    assert named_ris.format == "wos" and len(named_ris.records) == 2
    first = named_ris.records[0]
    assert first.authors[0].name == "Parkes-Loach, PS"
    assert first.title.startswith("Interactions stabilizing the structure of the core")
    assert first.journal == "BIOCHEMISTRY"


def test_sniff(fixtures: Path) -> None:
    assert sniff(SourceFile.read(fixtures / "wos" / "synthetic.txt")) >= 0.9
    assert sniff(SourceFile.read(fixtures / "ris" / "synthetic_quirks.ris")) == 0
    assert sniff(SourceFile.read(fixtures / "medline" / "synthetic.nbib")) == 0
    assert sniff(SourceFile.read(fixtures / "proquest" / "synthetic.txt")) == 0
    assert FORMAT.database == "Web of Science"


def test_shared_wos_files_match_readme_counts(shared_data: Path) -> None:
    folder = shared_data / "metaknowledge"
    counts = {
        "testFile.isi": 34,
        "ManyAuthors.isi.gz": 500,
        "OnePaper.isi": 1,
        "TwoPaper.isi": 2,
        "OnePaperNoCites.isi": 1,
        "SimplePaper.isi": 1,
        # The "deliberately malformed" file lacks its closing EF line (and two of
        # testFile's records): all 32 records read, plus a warning about the end.
        "badFile.isi": 32,
    }
    for name, expected in counts.items():
        result = read_file(folder / name)
        assert result.format == "wos", name
        assert len(result.records) == expected, name
        assert result.skipped == [], name
    bad = read_file(folder / "badFile.isi")
    assert [("EF" in i.message, i.skipped) for i in bad.issues] == [(True, False)]
    test_file = read_file(folder / "testFile.isi")
    # Line 416 reads "AUGilles, H": the tag is recovered and reported.
    assert [i.line for i in test_file.issues] == [416]
    glued = [r for r in test_file.records if r.sources[0].line == 415]
    assert glued[0].title.startswith("Simple technique for measuring the Goos-Hanchen")


def test_shared_many_authors_file_is_read_quickly(shared_data: Path) -> None:
    data = gzip.decompress((shared_data / "metaknowledge" / "ManyAuthors.isi.gz").read_bytes())
    source = SourceFile.from_bytes(Path("ManyAuthors.isi"), data)
    records = [p.record for p in parse(source) if p.record]
    assert len(records) == 500
    assert max(len(r.authors) for r in records) > 150
