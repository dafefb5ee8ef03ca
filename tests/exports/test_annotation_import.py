"""Reading peerlit's annotation markers from files, and what is ignored or reported."""

from __future__ import annotations

import json
from pathlib import Path

from peerlit_tui.annotation import Annotation
from peerlit_tui.exporters.markers import FoundAnnotation, Reading
from peerlit_tui.services.annotation_import import (
    read_annotations,
    read_bibtex,
    read_csljson,
    read_csv,
    read_ris,
    restore_annotations,
)
from peerlit_tui.services.annotations import AnnotationService

RIS = """TY  - JOUR
TI  - First
ID  - 10.1/one
N1  - <p>peerlit decision: exclude</p>
N1  - peerlit reason: off topic
N1  - peerlit rating: 9
N1  - a note of the source that stays in the record
ER  -

TY  - JOUR
TI  - Second
N1  - peerlit id: abcdef123456
N1  - peerlit decision: include
N1  - peerlit reason: stray
N1  - peerlit tags: ["x;y", "z"]
ER  -

TY  - JOUR
TI  - Third
N1  - peerlit note: no id anywhere
ER  -
"""


def test_ris_markers_validated_and_problems_named() -> None:
    reading = read_ris(RIS)
    assert reading.found == [
        FoundAnnotation("10.1/one", "line 1", decision="exclude", reason="off topic"),
        FoundAnnotation("abcdef123456", "line 10", tags=("x;y", "z"), decision="include"),
    ]
    assert reading.problems == [
        "line 1: rating of 10.1/one ignored: a rating must be from 0 to 5, got 9",
        "line 10: reason of abcdef123456 ignored: the decision is not exclude",
        "line 18: annotations without a record id ignored",
    ]
    assert read_ris("TY  - JOUR\nN1  - a plain note\nER  -\n") == Reading()


def test_bibtex_reads_only_peerlit_entries() -> None:
    text = (
        "@article{a,\n  title = {A},\n  note = {kept by the source}\n}\n\n"
        "@article{b,\n  title = {B},\n  note = {line one\n  50\\% \\{sure\\}\n{@}home},\n"
        "  peerlit-id = {10.1/b},\n  peerlit-read = {read}\n}\n"
    )
    assert read_bibtex(text).found == [
        FoundAnnotation("10.1/b", "line 6", note="line one\n  50% {sure}\n@home", read="read")
    ]


def test_csv_resaved_with_semicolons_and_csl_wrapped_items() -> None:
    csv_text = "\ufeffid;title;tags;decision;rating\r\nx1;T;'-neg; maybe;2\r\nx2;U;;;\r\n"
    assert read_csv(csv_text).found == [
        FoundAnnotation("x1", "line 2", tags=("-neg",), decision="maybe", rating=2)
    ]
    assert read_csv("id,title,note\nx1,T,hello\n").found == []  # not a peerlit export
    csl = {"items": [{"id": "k", "custom": {"peerlit": {"tags": ["a"], "rating": 3}}}]}
    assert read_csljson(json.dumps(csl)).found == [
        FoundAnnotation("k", "item 1", tags=("a",), rating=3)
    ]


def test_unreadable_files_and_other_formats_are_reported_or_skipped(tmp_path: Path) -> None:
    medline = tmp_path / "x.nbib"
    medline.write_text("PMID- 1\n", encoding="utf-8")
    reading = read_annotations([(medline, "medline"), (tmp_path / "gone.ris", "ris")])
    assert reading.found == []
    assert len(reading.problems) == 1 and "gone.ris: annotations not read" in reading.problems[0]


def test_restore_reports_unmatched_and_repeated_records(tmp_path: Path) -> None:
    reading = Reading(
        found=[
            FoundAnnotation("known", "line 1", decision="include"),
            FoundAnnotation("known", "line 9", decision="exclude"),
            FoundAnnotation("missing", "line 5", rating=3),
        ]
    )
    with AnnotationService.open(tmp_path, sync=False) as service:
        summary = restore_annotations(reading, service, lambda rid: rid == "known")
        assert service.get("known") == Annotation(
            "known",
            decision="include",
            created=service.get("known").created,
            updated=service.get("known").updated,
        )
        assert len(service.store.history("known")) == 1
    assert (summary.found, summary.restored, summary.unmatched) == (2, 1, ["missing"])
    assert summary.problems == ["line 9: known appears twice; first kept"]
