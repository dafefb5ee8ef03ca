"""Shared data for the export tests: synthetic records, hostile text, a small library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from peerlit_tui.annotation import Annotation
from peerlit_tui.model import Author, Provenance, Record, Section
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from tests.conftest import SAMPLE_DATA

#: A note holding everything that could break a format: line breaks, quotes, braces
#: (unbalanced too), LaTeX and Markdown specials, a formula, lines that look like a
#: RIS tag, a BibTeX block start or a list item, double spaces and a tab.
HOSTILE_NOTE = (
    'First line with "quotes", {braces}, a lone } and 100% sure\n'
    "  indented  line @home\n"
    "@comment{x,\n"
    "- a list item\n"
    '=HYPERLINK("http://evil.example")\n'
    "ER  - not a tag\n"
    "\n"
    "\\textbf{no} ~ ^ _ # $ & \\ <b>bold</b> [link](x)\tend"
)


def full_record() -> Record:
    """A record with every field filled, some with awkward text."""
    return Record(
        id="10.5555/full.2021.001",
        type="review",
        type_detail="Review",
        title="Peer support & recovery: 100% {braced} $costly# work_s ~ ^",
        authors=[
            Author("van der Berg, Jan", "van der Berg", "Jan", True),
            Author("Ayşe Çelik", "Çelik", "Ayşe", False),
            Author("World Health Organization", "World Health Organization", "", False),
            Author("Barnes and Noble, Inc.", "Barnes and Noble", "Inc.", True),
        ],
        date="2021-03-15",
        year=2021,
        journal="Journal of Mental Health & Recovery",
        volume="12",
        issue="3",
        pages="45-67",
        issn="1234-5678",
        isbn="9780123456789",
        doi="10.5555/full.2021.001",
        url="https://example.org/articles/peer?id=1&x=%20y",
        keywords=["peer support", "acute care", "Qualitative"],
        language="English",
        abstract=[
            Section("Background", "Peer support is spreading in acute care.", "background"),
            Section(
                "Methods",
                "We interviewed 20 peer workers.\n\nER  - a paragraph that looks like a tag.",
                "methods",
            ),
            Section("Results", "Three themes; see {Table 1}; 50% agreed.", "results"),
            Section("Conclusions", "Peer roles need support \\ supervision.", "conclusions"),
        ],
        teaser="Peer support is spreading…",
        publisher="Example Press",
        sources=[Provenance("/data/scopus.ris", "ris", "Scopus")],
    )


def full_annotation(record_id: str = "10.5555/full.2021.001") -> Annotation:
    """An annotation with every field set, the note hostile."""
    return Annotation(
        record_id,
        tags=("qualitative", "acute; wards", "Peer Work"),
        note=HOSTILE_NOTE,
        rating=4,
        read="skimmed",
        decision="exclude",
        reason="wrong population",
    )


#: CSL items imported next to the sample data: structured abstracts, DOIs, odd names,
#: a hostile abstract paragraph, a record without authors.
SYNTHETIC_ITEMS: list[dict[str, Any]] = [
    {
        "id": "a",
        "type": "article-journal",
        "title": "Peer support on acute wards: 100% {braced} & $costly# work_s",
        "author": [
            {"family": "van der Berg", "given": "Jan"},
            {"family": "Çelik", "given": "Ayşe"},
            {"literal": "World Health Organization"},
        ],
        "issued": {"date-parts": [[2021, 3, 15]]},
        "container-title": "Journal of Mental Health & Recovery",
        "volume": "12",
        "issue": "3",
        "page": "45-67",
        "DOI": "10.5555/peer.2021.001",
        "URL": "https://example.org/a?id=1&x=%20y",
        "keyword": "peer support, acute care",
        "abstract": (
            "Background: Peer support is spreading.\n\nMethods: We interviewed 20 workers.\n\n"
            "ER  - a paragraph that looks like a tag.\n\nResults: Three themes; 50% agreed "
            "{Table 1}.\n\nConclusions: Roles need support \\ supervision."
        ),
    },
    {
        "id": "b",
        "type": "chapter",
        "title": "Recovery colleges and peer trainers",
        "author": [{"family": "Brown", "given": "Alex"}, {"family": "Okafor", "given": "C. N."}],
        "issued": {"date-parts": [[2019]]},
        "container-title": "Handbook of Recovery",
        "page": "101-120",
        "ISBN": "9780123456789",
        "DOI": "10.5555/peer.2019.002",
        "abstract": (
            "Purpose: To describe recovery colleges.\n\nDesign/methodology/approach: A review."
            "\n\nFindings: Colleges grew fast.\n\nOriginality/value: First overview."
        ),
    },
    {
        "id": "c",
        "type": "paper-conference",
        "title": "Online peer support forums for carers",
        "author": [{"family": "Lee", "given": "Kim"}],
        "issued": {"date-parts": [[2022, 6]]},
        "container-title": "Proceedings of the Carers Conference",
        "abstract": 'Unstructured: "quotes", a backslash \\ and the % sign.',
    },
    {
        "id": "d",
        "type": "report",
        "title": "Peer support in the community: a national survey",
        "author": [{"family": "Nguyen", "given": "Thi"}, {"family": "Smith", "given": "John"}],
        "issued": {"date-parts": [[2018]]},
        "publisher": "National Institute",
        "abstract": "Objective: Map services.\n\nMethods: Survey of 300.\n\nResults: Small.",
    },
    {
        "id": "e",
        "type": "article-journal",
        "title": "Editorial",
        "container-title": "Peer Work Quarterly",
        "volume": "4",
    },
]


def build_library(folder: Path, tmp_path: Path) -> list[str]:
    """Import the sample data and the synthetic items; annotate a few records.

    Returns:
        The record ids in library order.
    """
    items = tmp_path / "synthetic.json"
    items.write_text(json.dumps(SYNTHETIC_ITEMS, ensure_ascii=False), encoding="utf-8")
    library = Library.open(folder)
    try:
        summary = library.import_files([SAMPLE_DATA / "emerald_peer_support_results.txt", items])
        assert summary.exit_code == 0, summary.to_json()
        ids = library.columns().ids
    finally:
        library.close()
    with AnnotationService.open(folder, sync=False) as service:
        service.add_reason("wrong population")
        service.add_tags(ids[0], ["Peer Work", "acute; wards", "qualitative"])
        service.set_note(ids[0], HOSTILE_NOTE)
        service.set_rating(ids[0], 4)
        service.set_read(ids[0], "skimmed")
        service.set_decision(ids[0], "exclude", "wrong population")
        service.set_decision(ids[1], "include")
        service.set_note(ids[2], "=1+1")
        service.set_decision(ids[10], "maybe")
        service.add_tags(ids[10], "[draft]")
        service.set_decision(ids[11], "exclude")
    return ids
