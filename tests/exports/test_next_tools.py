"""Exports read by the tools that come next: biber, pandoc, pybtex, ASReview-style CSV.

biber and pandoc are Debian packages (`apt-get install biber pandoc`); their tests
skip when the program is absent. pybtex counts braces as BibTeX does (the backslash
before a brace does not hide it), which is what breaks on unbalanced braces.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from peerlit_tui.annotation import Annotation
from peerlit_tui.exporters import export
from peerlit_tui.exporters.bibtex import entry_fields, entry_type
from peerlit_tui.exporters.citekeys import built_key
from peerlit_tui.importers.latex import decode_latex
from peerlit_tui.model import Author, Record, Section
from tests.exports.helpers import HOSTILE_NOTE, build_library, full_annotation, full_record
from tests.exports.test_roundtrip import _contents

#: Title and note of the integrity audit's hostile record (finding F10).
HOSTILE_TITLE = "Bib {unbalanced} } { \\ \\\\ % comment @article{inj, title={x}} \\{ \\}"
HOSTILE_ABSTRACT = "Text } brace \n@article{evil, title={EVILINJECTED}}\n{ and more"


def _export(fmt: str, items: list[tuple[Record, Annotation]]) -> str:
    out = io.StringIO()
    export(items, fmt, out)
    return out.getvalue()


def _blank(record: Record) -> tuple[Record, Annotation]:
    return record, Annotation(record.id)


def _typed_records() -> list[Record]:
    """One record per entry-type decision, with the fields biber is strict about."""
    author = [Author("Gray, Ann", "Gray", "Ann", True)]
    return [
        Record(id="t1", type="other", title="Typed other with a journal", authors=author,
               year=2020, journal="Journal of Peer Work", volume="ahead-of-print",
               issn="1234-5678, 0028-0836", publisher="Pub", doi="10.5555/t1"),
        Record(id="t2", type="chapter", title="A chapter", authors=author, year=2019,
               journal="Handbook of Peers", isbn="978-0-306-40615-7", publisher="Pub"),
        Record(id="t3", type="chapter", title="An edited chapter", authors=author, year=2019,
               journal="Handbook of Peers", extra={"editor": "Lee, Kim"}),
        Record(id="t4", type="chapter", title="A chapter without a book", authors=author,
               year=2019, publisher="Pub"),
        Record(id="t5", type="article", title="An article", authors=author, year=2021,
               date="2021-03", journal="J", volume="12 Suppl 1", issue="2", pages="e1234",
               publisher="Pub", isbn="9780123456789"),
        Record(id="t6", type="report", title="A report", authors=author, year=2018,
               publisher="Institute"),
        Record(id="t7", type="thesis", title="A thesis", authors=author, year=2017,
               publisher="University"),
        Record(id="t8", type="conference paper", title="A paper", authors=author, year=2022,
               journal="Proceedings", publisher="ACM"),
        Record(id="t9", type="article", title="An article without journal", authors=author,
               year=2022, publisher="Pub"),
    ]  # fmt: skip


def test_entry_types_and_fields_fit_the_biblatex_data_model() -> None:
    records = _typed_records()
    assert [entry_type(r) for r in records] == [
        "article", "inbook", "incollection", "misc", "article", "techreport", "phdthesis",
        "inproceedings", "misc",
    ]  # fmt: skip
    fields = [dict(entry_fields(r, Annotation(r.id))) for r in records]
    assert fields[0]["journal"] == "Journal of Peer Work"
    assert "volume" not in fields[0] and "publisher" not in fields[0]
    assert fields[0]["issn"] == "0028-0836"  # one ISSN, the one whose check digit holds
    assert fields[1]["booktitle"] == "Handbook of Peers" and "publisher" in fields[1]
    assert fields[2]["editor"] == "Lee, Kim"
    assert fields[4]["volume"] == "12" and fields[4]["number"] == "Suppl 1 2"
    assert "isbn" not in fields[4]  # its check digit is wrong
    assert fields[5]["institution"] == "Institute" and fields[6]["school"] == "University"
    assert "publisher" not in fields[8] and "journal" not in fields[8]


def test_citation_keys_do_not_depend_on_the_rest_of_the_export() -> None:
    records = [full_record(), *_typed_records()]
    twin = Record(id="twin", title=records[0].title, authors=records[0].authors, year=2021)
    records.append(twin)

    def keys(text: str) -> dict[str, str]:
        found = re.findall(r"^@\w+\{([^,]+),", text, re.M)
        ids = re.findall(r"^\s*peerlit-id = \{([^}]*)\}", text, re.M)
        return dict(zip(ids, found, strict=True))

    def annotated(subset: list[Record]) -> list[tuple[Record, Annotation]]:
        return [(r, Annotation(r.id, rating=1)) for r in subset]

    everything = keys(_export("bibtex", annotated(records)))
    assert len(set(everything.values())) == len(records)
    for subset in (records[::2], records[1::2], records[::-1], [twin]):
        part = keys(_export("bibtex", annotated(subset)))
        assert part == {r.id: everything[r.id] for r in subset}
    items = json.loads(_export("csljson", annotated(records)))
    assert {i["custom"]["peerlit"]["id"]: i["id"] for i in items} == everything


def test_imported_keys_are_kept_and_unusable_ones_replaced() -> None:
    kept = Record(id="k1", title="Kept", extra={"citekey": "grayPeerSupport2020"})
    same = Record(id="k2", title="Same key again", extra={"citekey": "grayPeerSupport2020"})
    url = Record(id="k3", title="Zotero id", extra={"citekey": "http://zotero.org/items/1"})
    long = Record(id="k4", title="Long", authors=[Author("A" * 5000, "A" * 5000)], year=2020)
    text = _export("bibtex", [_blank(kept), _blank(same), _blank(url), _blank(long)])
    keys = re.findall(r"^@\w+\{([^,]+),", text, re.M)
    assert keys == ["grayPeerSupport2020", built_key(same), built_key(url), built_key(long)]
    assert len(keys[3]) < 60
    items = json.loads(_export("csljson", [_blank(kept), _blank(same)]))
    assert [i["id"] for i in items] == keys[:2]


def test_csv_has_an_included_column_asreview_reads() -> None:
    records = [Record(id=f"r{n}", title=f"Title {n}") for n in range(4)]
    decisions = ["include", "exclude", "maybe", "undecided"]
    items = [(r, Annotation(r.id, decision=d)) for r, d in zip(records, decisions, strict=True)]
    rows = list(csv.DictReader(io.StringIO(_export("csv", items).removeprefix("\ufeff"))))
    assert [row["included"] for row in rows] == ["1", "0", "", ""]


def test_derived_titles_are_not_exported_as_titles() -> None:
    record = Record(
        id="d1",
        title="Peer support helps.",
        title_derived=True,
        authors=[Author("Gray, Ann", "Gray", "Ann", True)],
        year=2020,
        abstract=[Section("", "Peer support helps. More text follows here.", "")],
    )
    ris = _export("ris", [_blank(record)])
    assert "TI  - " not in ris and "AB  - Peer support helps. More text" in ris
    bib = _export("bibtex", [_blank(record)])
    assert "title =" not in bib and "abstract = {Peer support helps. More" in bib
    assert re.search(r"^@misc\{Gray2020_[0-9a-f]{4},", bib, re.M)  # no title word either
    (item,) = json.loads(_export("csljson", [_blank(record)]))
    assert "title" not in item and item["abstract"].startswith("Peer support helps.")
    (row,) = csv.DictReader(io.StringIO(_export("csv", [_blank(record)]).removeprefix("\ufeff")))
    assert row["title"] == "" and row["title_derived"] == "true"
    assert row["abstract"].startswith("Peer support helps.")


def _hostile() -> list[tuple[Record, Annotation]]:
    record = full_record()
    record.title = HOSTILE_TITLE
    record.abstract = [Section("", HOSTILE_ABSTRACT, "")]
    return [(record, full_annotation()), _blank(Record(id="next", title="Next entry"))]


def test_pybtex_reads_hostile_braces_as_the_same_two_entries() -> None:
    from pybtex.database.input.bibtex import Parser

    text = _export("bibtex", _hostile())
    data = Parser().parse_string(text)  # strict: a syntax error raises
    assert len(data.entries) == 2
    first = next(iter(data.entries.values()))
    assert decode_latex(first.fields["title"]) == " ".join(HOSTILE_TITLE.split())
    assert decode_latex(first.fields["note"]).startswith('First line with "quotes"')
    assert "EVILINJECTED" in first.fields["abstract"]


def test_bibtexparser_reads_hostile_braces_back_exactly() -> None:
    from bibtexparser.entrypoint import parse_string

    library = parse_string(_export("bibtex", _hostile()))
    assert not library.failed_blocks and len(library.entries) == 2
    fields = {f.key: f.value for f in library.entries[0].fields}
    assert decode_latex(fields["title"]) == " ".join(HOSTILE_TITLE.split())
    assert HOSTILE_NOTE.split("\n")[0] in decode_latex(fields["note"])


# -- biber and pandoc --------------------------------------------------------------

needs_biber = pytest.mark.skipif(shutil.which("biber") is None, reason="biber not installed")
needs_pandoc = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")


@pytest.fixture(scope="module")
def library_items(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Record, Annotation]]:
    tmp = tmp_path_factory.mktemp("nexttools")
    build_library(tmp / "library", tmp)
    records, annotations = _contents(tmp / "library")
    items = [(r, annotations.get(r.id, Annotation(r.id))) for r in records]
    return items + [_blank(r) for r in _typed_records()] + _hostile()


def _biber_warnings(bib: Path) -> list[str]:
    done = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", bib.name],
        capture_output=True, text=True, timeout=120, check=False, cwd=bib.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    return [line for line in lines if line.startswith(("WARN - ", "ERROR - "))]


_MISSING = re.compile(r"Entry '([^']+)' \(export\.bib\): Missing mandatory field (.*)$")


def _lacks(record: Record, what: str) -> bool:
    """True when the record has no data for a field biber says is missing."""
    if what == "'title'":
        return record.title_derived or not record.title
    if what == "'author'":
        return not record.authors
    if what == "- one of 'date, year' must be defined":
        return record.year is None
    return False


@needs_biber
def test_biber_validates_the_export_without_warnings(
    library_items: list[tuple[Record, Annotation]], tmp_path: Path
) -> None:
    bib = tmp_path / "export.bib"
    bib.write_text(_export("bibtex", library_items), encoding="utf-8")
    warnings = _biber_warnings(bib)
    # peerlit's annotation fields are private to peerlit; the data model names them.
    private = [w for w in warnings if "Field 'peerlit-" in w]
    assert private  # the check really ran on the annotated entries
    keys = [i["id"] for i in json.loads(_export("csljson", library_items))]
    by_key = {key: record for key, (record, _) in zip(keys, library_items, strict=True)}
    # What a record does not have cannot be written (a derived title is not a title).
    absent = [w for w in warnings if (m := _MISSING.search(w)) and _lacks(by_key[m[1]], m[2])]
    assert absent  # the Emerald sample's derived titles
    assert [w for w in warnings if w not in private and w not in absent] == []


@needs_biber
def test_biber_would_have_warned_about_the_old_layout(tmp_path: Path) -> None:
    # The same check on what the export used to write: it does catch these faults.
    bib = tmp_path / "old.bib"
    bib.write_text(
        "@misc{a,\n  author = {Gray, Ann},\n  title = {T},\n  journal = {J},\n"
        "  year = {2020},\n}\n@article{b,\n  author = {Gray, Ann},\n  title = {T},\n"
        "  journal = {J},\n  year = {2020},\n  volume = {ahead-of-print},\n"
        "  publisher = {P},\n}\n",
        encoding="utf-8",
    )
    assert len(_biber_warnings(bib)) == 3


@needs_pandoc
@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_pandoc_citeproc_resolves_every_key(
    library_items: list[tuple[Record, Annotation]], tmp_path: Path, fmt: str
) -> None:
    bibliography = tmp_path / ("refs.bib" if fmt == "bibtex" else "refs.json")
    bibliography.write_text(_export(fmt, library_items), encoding="utf-8")
    keys = [i["id"] for i in json.loads(_export("csljson", library_items))]
    document = tmp_path / "paper.md"
    document.write_text(" ".join(f"[@{k}]" for k in keys) + "\n", encoding="utf-8")
    done = subprocess.run(
        ["pandoc", "--citeproc", "--bibliography", str(bibliography), "-t", "plain",
         str(document)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "not found" not in done.stderr and "WARNING" not in done.stderr.upper(), done.stderr
    assert "Gray" in done.stdout and "???" not in done.stdout
