"""Tests for the EndNote XML importer.

tests/fixtures/endnote_xml/bold.xml comes from Reflib-Node's test data (MIT); the
other inputs are written inline in EndNote's layout.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import FileFormatError, SourceFile
from peerlit_tui.importers.endnote_xml import FORMAT, _records, parse, sniff
from peerlit_tui.importers.pipeline import FileResult
from peerlit_tui.model import Author


def field(tag: str, text: str) -> str:
    return f'<{tag}><style face="normal" font="default" size="100%">{text}</style></{tag}>'


def record_xml(title: str, ref_type: str = "Journal Article", extra: str = "") -> str:
    return (
        f'<record><ref-type name="{ref_type}">17</ref-type>'
        f"<titles>{field('title', title)}</titles>{extra}</record>"
    )


def document(*records: str, prolog: str = '<?xml version="1.0" encoding="UTF-8" ?>') -> str:
    return prolog + "<xml><records>\n" + "\n".join(records) + "\n</records></xml>"


def read_xml(tmp_path: Path, text: str, encoding: str = "utf-8") -> FileResult:
    path = tmp_path / "library.xml"
    path.write_bytes(text.encode(encoding))
    return read_file(path)


def test_bold_fixture_fields(fixtures: Path) -> None:
    result = read_file(fixtures / "endnote_xml" / "bold.xml")
    assert result.format == "endnote_xml"
    assert len(result.records) == 3
    first = result.records[0]
    assert (first.type, first.type_detail) == ("article", "Journal Article")
    assert first.title == (
        "Patient satisfaction with physician-patient communication during telemedicine"
    )
    assert first.authors[0] == Author("Agha, Z.", "Agha", "Z.", True)
    assert len(first.authors) == 5
    assert (first.journal, first.volume, first.issue) == ("Telemed J E Health", "15", "9")
    assert (first.pages, first.date, first.year) == ("830-9", "2009-11", 2009)
    assert (first.issn, first.isbn) == ("1530-5627", "")
    assert first.doi == "10.1089/tmj.2009.0030"
    assert first.url.startswith("https://www.liebertpub.com/doi/10.1089/tmj.2009.0030")
    assert "*Communication" in first.keywords
    assert "Patient Satisfaction/*statistics & numerical data" in first.keywords
    assert first.language == "eng"
    assert first.abstract[0].text.startswith("The quality of physician-patient communication")
    assert first.extra["accession"] == "19919189"
    assert first.extra["rec_number"] == "1979"
    second = result.records[1]
    assert second.issn == "1573-2819, 0147-5916"
    assert second.extra["database"] == "Embase"


def test_style_runs_are_joined() -> None:
    title = (
        '<style face="bold" font="default" size="100%">Peer</style>'
        '<style face="normal" font="default" size="100%"> support &amp; </style>'
        '<style face="italic" font="default" size="100%">recovery</style>'
    )
    text = document(f"<record><titles><title>{title}</title></titles></record>")
    (item,) = parse(SourceFile.from_bytes(Path("x.xml"), text.encode()))
    assert item.record is not None
    assert item.record.title == "Peer support & recovery"


def test_book_section_and_dates() -> None:
    extra = (
        f"<titles>{field('secondary-title', 'Handbook of Peer Work')}</titles>"
        f"<dates>{field('year', '2011')}"
        f"<pub-dates>{field('date', '2011/03/07')}</pub-dates></dates>"
        f"{field('isbn', '978-0-19-953056-6')}{field('publisher', 'OUP')}"
        f"<contributors><secondary-authors><author>{field('x', 'Ed, A.')}</author>"
        "</secondary-authors></contributors>"
    )
    text = document(record_xml("A chapter", "Book Section", extra))
    (item,) = parse(SourceFile.from_bytes(Path("x.xml"), text.encode()))
    record = item.record
    assert record is not None
    assert record.type == "chapter"
    assert (record.date, record.year) == ("2011-03-07", 2011)
    assert (record.isbn, record.issn, record.publisher) == ("978-0-19-953056-6", "", "OUP")
    assert record.extra["editor"] == "Ed, A."


@pytest.mark.parametrize(
    ("name", "record_type"),
    [
        ("Journal Article", "article"),
        ("Book", "book"),
        ("Edited Book", "book"),
        ("Book Section", "chapter"),
        ("Conference Proceedings", "conference paper"),
        ("Report", "report"),
        ("Thesis", "thesis"),
        ("Web Page", "webpage"),
        ("Generic", "other"),
    ],
)
def test_ref_types(name: str, record_type: str) -> None:
    text = document(record_xml("T", name))
    (item,) = parse(SourceFile.from_bytes(Path("x.xml"), text.encode()))
    assert item.record is not None and item.record.type == record_type


def test_records_carry_their_start_lines(tmp_path: Path) -> None:
    result = read_xml(tmp_path, document(record_xml("A"), record_xml("B"), record_xml("C")))
    assert [(r.title, r.sources[0].line) for r in result.records] == [
        ("A", 2),
        ("B", 3),
        ("C", 4),
    ]


def test_malformed_xml_keeps_the_records_before_it(tmp_path: Path) -> None:
    broken = "<record><titles><title>Broken</titles></record>"
    result = read_xml(tmp_path, document(record_xml("A"), record_xml("B"), broken, record_xml("D")))
    assert [r.title for r in result.records] == ["A", "B"]
    (issue,) = result.issues
    assert issue.line == 4
    assert "malformed XML" in issue.message and "mismatched tag" in issue.message


def test_malformed_xml_from_the_start_is_a_file_error(tmp_path: Path) -> None:
    result = read_xml(tmp_path, "<xml><records><record>\n<titles></record>")
    assert result.records == []
    assert result.error is not None and result.error.startswith("malformed XML at column")


_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><records><record><titles><title>&lol9;</title></titles></record></records></xml>
"""


def test_billion_laughs_is_refused_before_parsing(tmp_path: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = read_xml(tmp_path, _LAUGHS)
    assert time.perf_counter() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB
    assert result.records == []
    assert result.error is not None and "refused for safety" in result.error
    assert result.error.endswith("(line 2)")


def test_parser_refuses_entity_declarations_on_its_own() -> None:
    # The textual check runs first; the parser refuses declarations too, should
    # a declaration ever slip past it.
    with pytest.raises(FileFormatError, match="refused for safety"):
        list(_records(_LAUGHS))
    external = '<!DOCTYPE x SYSTEM "file:///etc/passwd"><xml><records/></xml>'
    with pytest.raises(FileFormatError, match="refused for safety"):
        list(_records(external))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-le", "utf-8-sig"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    abstract = "Le café de la société française était très animé à l'époque. " * 3
    extra = (
        "<contributors><authors>"
        f"<author>{field('x', 'Dupré, Hélène')}</author></authors></contributors>"
        f"{field('abstract', abstract)}"
    )
    text = document(record_xml("La société française – une étude", extra=extra))
    result = read_xml(tmp_path, text, encoding)
    (record,) = result.records
    assert record.title == "La société française – une étude"
    assert record.authors[0].family == "Dupré"


def test_sniff() -> None:
    def score(text: str) -> float:
        return sniff(SourceFile.from_bytes(Path("x.txt"), text.encode()))

    assert score(document(record_xml("T"))) == pytest.approx(0.95)
    assert score("<xml><records><record><titles/></record></records></xml>") == 0.7
    assert score('<?xml version="1.0"?><html><body>records</body></html>') == 0.0
    assert score("TY  - JOUR\nER  - \n") == 0.0
    assert FORMAT.name == "endnote_xml"


def test_shared_endnote_file(shared_data: Path) -> None:
    result = read_file(shared_data / "reflib_node" / "bold.xml")
    assert len(result.records) == 3
    assert not result.issues
    assert [r.doi for r in result.records] == [
        "10.1089/tmj.2009.0030",
        "10.1007/s10608-017-9884-3",
        "10.1016/j.ebiom.2015.08.011",
    ]


def test_keyword_element_holding_a_semicolon_list_is_split(tmp_path: Path) -> None:
    path = tmp_path / "keywords.xml"
    path.write_text(
        '<xml><records><record><ref-type name="Journal Article">17</ref-type>'
        "<titles><title>T</title></titles><keywords><keyword>alpha; beta;gamma</keyword>"
        "<keyword>delta</keyword></keywords></record></records></xml>"
    )
    assert read_file(path).records[0].keywords == ["alpha", "beta", "gamma", "delta"]
