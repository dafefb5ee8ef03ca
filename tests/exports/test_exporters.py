"""Field-level output of every export format, annotations and hostile text included."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlit_tui.annotation import Annotation
from peerlit_tui.exporters import EXPORT_FORMATS, export
from peerlit_tui.exporters.bibtex import citation_key_base
from peerlit_tui.exporters.citekeys import built_key
from peerlit_tui.exporters.common import author_text, page_parts
from peerlit_tui.exporters.csv import COLUMNS
from peerlit_tui.exporters.markers import (
    decode_tags,
    decode_text,
    encode_tags,
    encode_text,
    latex_escape,
    latex_unescape,
    parse_ris_note,
    protect_cell,
    unprotect_cell,
)
from peerlit_tui.model import Author, Record
from tests.exports.helpers import HOSTILE_NOTE, full_annotation, full_record


def _export(fmt: str, items: list[tuple[Record, Annotation]], **options: bool) -> str:
    out = io.StringIO()
    assert export(items, fmt, out, **options) == len(items)
    return out.getvalue()


def _lines(text: str, tag: str) -> list[str]:
    return [line[6:] for line in text.split("\n") if line.startswith(f"{tag}  - ")]


# -- RIS ---------------------------------------------------------------------------


def test_ris_fields_and_annotation_notes() -> None:
    text = _export("ris", [(full_record(), full_annotation())])
    assert text.startswith("TY  - JOUR\n")
    assert _lines(text, "TI") == [full_record().title]
    assert _lines(text, "AU") == [
        "van der Berg, Jan",
        "Ayşe Çelik",
        "World Health Organization",
        "Barnes and Noble, Inc.",
    ]
    assert _lines(text, "PY") == ["2021"] and _lines(text, "DA") == ["2021/03/15/"]
    assert (_lines(text, "SP"), _lines(text, "EP")) == (["45"], ["67"])
    assert _lines(text, "SN") == ["1234-5678, 9780123456789"]
    assert _lines(text, "DO") == ["10.5555/full.2021.001"]
    assert _lines(text, "UR") == ["https://example.org/articles/peer?id=1&x=%20y"]
    assert _lines(text, "M3") == ["Review"]
    assert _lines(text, "ID") == ["10.5555/full.2021.001"]
    # Tags follow the keywords, without repeating one ("qualitative" is a keyword).
    assert _lines(text, "KW") == [
        "peer support",
        "acute care",
        "Qualitative",
        "acute; wards",
        "Peer Work",
    ]
    notes = _lines(text, "N1")
    assert notes[:4] == [
        "ASReview_irrelevant",
        "peerlit id: 10.5555/full.2021.001",
        "peerlit decision: exclude",
        "peerlit reason: wrong population",
    ]
    assert "peerlit rating: 4" in notes and "peerlit read: skimmed" in notes
    assert 'peerlit tags: ["qualitative", "acute; wards", "Peer Work"]' in notes
    note_line = next(n for n in notes if n.startswith("peerlit note: "))
    assert "\n" not in note_line
    assert parse_ris_note(note_line) == ("note", HOSTILE_NOTE)
    assert text.rstrip().endswith("ER  -")


def test_ris_abstract_paragraph_that_looks_like_a_tag_is_indented() -> None:
    text = _export("ris", [(full_record(), Annotation("x"))])
    assert "\n ER  - a paragraph that looks like a tag." in text
    assert text.count("\nER  -") == 1  # only the real end of the record
    assert "\nBackground: " not in text and "AB  - Background: Peer support" in text
    assert "\n\nResults: Three themes" in text


def test_ris_without_annotation_or_tag_keywords() -> None:
    blank = _export("ris", [(full_record(), Annotation("x"))])
    assert _lines(blank, "N1") == []
    no_tags = _export("ris", [(full_record(), full_annotation())], tags_in_keywords=False)
    assert _lines(no_tags, "KW") == ["peer support", "acute care", "Qualitative"]
    assert any(n.startswith("peerlit tags: ") for n in _lines(no_tags, "N1"))


# -- BibTeX ------------------------------------------------------------------------


def test_bibtex_fields_escaping_and_custom_fields() -> None:
    text = _export("bibtex", [(full_record(), full_annotation())])
    assert text.startswith(f"@article{{{built_key(full_record())},\n")
    assert (
        "author = {van der Berg, Jan and Çelik, Ayşe and {World Health Organization} "
        "and {Barnes and Noble}, Inc.}" in text
    )
    assert (
        r"title = {Peer support \& recovery: 100\% \{braced\} \$costly\# work\_s "
        r"\textasciitilde{} \textasciicircum{}}" in text
    )
    assert "journal = {Journal of Mental Health \\& Recovery}" in text
    assert "pages = {45--67}" in text and "date = {2021-03-15}" in text
    assert "url = {https://example.org/articles/peer?id=1&x=%20y}" in text
    assert "keywords = {peer support, acute care, Qualitative, acute; wards, Peer Work}" in text
    assert "peerlit-id = {10.5555/full.2021.001}" in text
    assert "peerlit-decision = {exclude}" in text
    assert "peerlit-reason = {wrong population}" in text
    assert "peerlit-rating = {4}" in text and "peerlit-read = {skimmed}" in text
    assert '"acute; wards"' in text  # a tag holding ";" makes the list JSON
    # The note's "@comment{" line is defused; its brace has no partner, so it holds none.
    assert "\n{@}comment\\textbraceleft{}x,\n" in text
    assert "a lone \\textbraceright{} and" in text
    assert "\\textbackslash{}textbf\\{no\\}" in text


def test_bibtex_citation_keys_are_unique_and_ascii() -> None:
    record = full_record()
    twin = Record(id="other", title=record.title, authors=record.authors, year=2021)
    nameless = Record(id="n", title="The of a")
    text = _export(
        "bibtex", [(record, Annotation("a")), (twin, Annotation("b")), (nameless, Annotation("c"))]
    )
    keys = [line.split("{", 1)[1].rstrip(",") for line in text.split("\n") if line.startswith("@")]
    assert keys == [built_key(record), built_key(twin), built_key(nameless)]
    assert keys[0].startswith("VanDerBerg2021peer_") and keys[2].startswith("ref_")
    assert len({k.lower() for k in keys}) == 3
    ascii_key = citation_key_base(Record(title="Über Ärzte", authors=[Author("Çelik", "Çelik")]))
    assert ascii_key == "Celikuber"


# -- CSV ---------------------------------------------------------------------------


def test_csv_columns_sections_and_annotations() -> None:
    text = _export("csv", [(full_record(), full_annotation())])
    assert text.startswith("\ufeffid,type,")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == list(COLUMNS)
    row = rows[0]
    assert row["authors"] == (
        "van der Berg, Jan; Ayşe Çelik; World Health Organization; Barnes and Noble, Inc."
    )
    assert row["year"] == "2021" and row["type"] == "review"
    assert row["abstract"].startswith("Background: Peer support is spreading in acute care.\n\n")
    assert row["abstract_methods"] == (
        "We interviewed 20 peer workers.\n\nER  - a paragraph that looks like a tag."
    )
    assert row["abstract_findings"] == ""
    assert row["databases"] == "Scopus"
    assert row["tags"] == '["qualitative", "acute; wards", "Peer Work"]'
    assert (row["decision"], row["reason"], row["rating"], row["read"]) == (
        "exclude",
        "wrong population",
        "4",
        "skimmed",
    )
    assert row["note"] == HOSTILE_NOTE


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe() -> None:
    record = Record(id="x", title="=HYPERLINK(1)", keywords=["-5"])
    text = _export("csv", [(record, Annotation("x", note="@SUM(A1)", tags=("+t",)))])
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["title"] == "'=HYPERLINK(1)"
    assert row["keywords"] == "'-5" and row["note"] == "'@SUM(A1)" and row["tags"] == "'+t"
    assert unprotect_cell(row["title"]) == "=HYPERLINK(1)"


# -- CSL-JSON and Markdown ---------------------------------------------------------


def test_csljson_items_carry_annotations_under_custom() -> None:
    record = full_record()
    text = _export("csljson", [(record, full_annotation()), (Record(id="b"), Annotation("b"))])
    items = json.loads(text)
    item = items[0]
    assert item["id"] == item["citation-key"] == built_key(record)
    assert item["type"] == "article-journal"
    assert item["author"][0] == {"family": "van der Berg", "given": "Jan"}
    assert item["author"][2] == {"literal": "World Health Organization"}
    assert item["issued"] == {"date-parts": [[2021, 3, 15]]}
    assert item["DOI"] == record.doi and item["page"] == "45-67"
    assert item["keyword"] == "peer support, acute care, Qualitative"
    assert item["custom"]["peerlit"] == {
        "id": record.id,
        "tags": ["qualitative", "acute; wards", "Peer Work"],
        "decision": "exclude",
        "reason": "wrong population",
        "rating": 4,
        "read": "skimmed",
        "note": HOSTILE_NOTE,
    }
    assert "note" not in item
    assert items[1] == {
        "id": built_key(Record(id="b")),
        "citation-key": built_key(Record(id="b")),
        "type": "document",
        "custom": {"peerlit": {"id": "b"}},
    }
    assert json.loads(_export("csljson", [])) == []


def test_markdown_is_a_readable_escaped_list() -> None:
    text = _export("md", [(full_record(), full_annotation())])
    lines = text.split("\n")
    assert lines[0] == (
        r"- **Peer support & recovery: 100% {braced} $costly\# work\_s \~ ^** (2021)"
    )
    assert "  - DOI: [10.5555/full.2021.001](https://doi.org/10.5555/full.2021.001)" in lines
    assert "  - Decision: **exclude** (wrong population)" in lines
    assert "  - Tags: qualitative, acute; wards, Peer Work" in lines
    assert "  - Rating: ★★★★☆" in lines and "  - Found in: Scopus" in lines
    assert "    - **Background:** Peer support is spreading in acute care." in lines
    # Markdown and HTML in the note stay text; its lines stay inside the bullet.
    assert r"    \- a list item" in lines
    assert r"\<b\>bold\</b\> \[link\](x)" in text
    assert "<b>" not in text


def test_markdown_links_only_web_urls() -> None:
    record = Record(id="x", title="T", url="javascript:alert(1)")
    assert "javascript" not in _export("md", [(record, Annotation("x"))])


# -- the registry and shared helpers -----------------------------------------------


def test_export_reports_progress_and_rejects_unknown_formats() -> None:
    calls: list[tuple[int, int, str]] = []
    items = [(Record(id=str(n), title=f"T{n}"), Annotation(str(n))) for n in range(1200)]
    export(items, "ris", io.StringIO(), progress=lambda *a: calls.append(a), total=1200)
    assert [c[0] for c in calls] == [500, 1000, 1200]
    assert calls[-1] == (1200, 1200, "writing RIS")
    with pytest.raises(KeyError, match="unknown export format"):
        export([], "docx", io.StringIO())
    assert list(EXPORT_FORMATS) == ["ris", "bibtex", "csv", "csljson", "md"]


def test_author_text_keeps_names_that_read_back_the_same() -> None:
    assert author_text(Author("Benjamin Thomas Gray", "Gray", "Benjamin Thomas")) == (
        "Benjamin Thomas Gray"
    )
    assert author_text(Author("Maria de la Cruz", "de la Cruz", "Maria")) == "Maria de la Cruz"
    # Family name first (as Hungarian writes it): a plain reading would swap the parts.
    assert author_text(Author("Kovács János", "Kovács", "János")) == "Kovács, János"
    assert author_text(Author("WHO", "WHO")) == "WHO"
    assert page_parts("12–19") == ("12", "19") and page_parts("e1234") == ("e1234", "")


@given(st.text())
def test_latex_escape_round_trips_any_text(text: str) -> None:
    assert latex_unescape(latex_escape(text)) == text


@given(st.text())
def test_plain_text_and_cells_round_trip(text: str) -> None:
    encoded = encode_text(text)
    assert "\n" not in encoded
    assert decode_text(encoded) == text
    assert unprotect_cell(protect_cell(text)) == text or text.startswith("'")


@given(st.lists(st.text(min_size=1).map(str.strip).filter(bool), min_size=1))
def test_tags_round_trip(tags: list[str]) -> None:
    assert decode_tags(encode_tags(tags)) == tags
