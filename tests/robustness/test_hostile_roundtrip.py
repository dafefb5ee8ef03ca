"""peerlit's own exports re-import as themselves, whatever lines their cells hold.

Notes and abstracts below carry lines typical of every import format (RIS tags,
BibTeX entries, MEDLINE and Web of Science tags, EndNote tagged text, XML, JSON,
a CSV header); content sniffing must follow the file's evident structure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerlit_tui.cli import main
from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from tests.conftest import SAMPLE_DATA

HOSTILE_LINES = [
    "TY  - JOUR",
    "TI  - Phantom RIS record",
    "ER  - ",
    "@article{phantom, title={Phantom BibTeX}, year=2001}",
    "PMID- 99999999",
    "TI  - Phantom MEDLINE record",
    '<?xml version="1.0"?><xml><records><record><titles><title>Phantom</title>'
    "</titles></record></records></xml>",
    '[{"id": "phantom", "type": "article", "title": "Phantom JSON", "DOI": "10.1/ph"}]',
    '{"title": "Phantom object"}',
    "FN Clarivate Analytics Web of Science",
    "PT J",
    "AU Phantom, A",
    "TI Phantom WoS record",
    "ER",
    "%0 Journal Article",
    "%T Phantom EndNote record",
    "title,abstract,doi",
    '"Phantom CSV","text","10.1/phantom"',
]
HOSTILE_NOTE = "\n".join(HOSTILE_LINES)
#: Each hostile line as its own abstract paragraph (single breaks become spaces).
HOSTILE_ABSTRACT = "\n\n".join(HOSTILE_LINES)
#: Export format → the import format it must be read as.
READ_AS = {"ris": "ris", "bibtex": "bibtex", "csv": "csv_tsv", "csljson": "csljson"}


def _items() -> list[dict[str, object]]:
    return [
        {
            "id": "h1",
            "type": "article-journal",
            "title": "Hostile abstract first",
            "author": [{"family": "Able", "given": "Ann"}],
            "issued": {"date-parts": [[2020]]},
            "DOI": "10.5555/hostile.1",
            "abstract": HOSTILE_ABSTRACT,
        },
        {
            "id": "h2",
            "type": "article-journal",
            "title": "A plain second record",
            "author": [{"family": "Baker", "given": "Bo"}],
            "issued": {"date-parts": [[2021]]},
            "abstract": "Background: ordinary text.\n\nResults: nothing odd.",
        },
    ]


@pytest.fixture(scope="module")
def hostile_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    tmp = tmp_path_factory.mktemp("hostile")
    items = tmp / "hostile.json"
    items.write_text(json.dumps(_items()), encoding="utf-8")
    folder = tmp / "library"
    library = Library.open(folder)
    try:
        summary = library.import_files([items, SAMPLE_DATA / "emerald_peer_support_results.txt"])
        assert summary.exit_code == 0, summary.to_json()
        ids = library.columns().ids
    finally:
        library.close()
    with AnnotationService.open(folder, sync=False) as service:
        for n, record_id in enumerate(ids[:4]):
            service.set_note(record_id, f"note {n}\n{HOSTILE_NOTE}")
        service.add_tags(ids[0], ["TY  - JOUR", "@article{x"])
        service.set_decision(ids[1], "include")
    return folder, ids


def _state(folder: Path) -> tuple[list[str], dict[str, tuple[object, ...]]]:
    library = Library.open(folder)
    try:
        ids = library.columns().ids
    finally:
        library.close()
    with AnnotationService.open(folder, read_only=True) as service:
        marks = {a.record_id: (a.tags, a.decision, a.note) for a in service.all()}
    return ids, marks


@pytest.mark.parametrize("fmt", sorted(READ_AS))
def test_export_reimports_as_itself(
    hostile_library: tuple[Path, list[str]],
    fmt: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, ids = hostile_library
    path = tmp_path / f"export.{fmt}"
    assert main(["--library", str(folder), "export", "--format", fmt, "-o", str(path)]) == 0
    assert any(line in path.read_text(encoding="utf-8") for line in ("Phantom",))
    fresh = tmp_path / "fresh"
    capsys.readouterr()
    assert main(["--library", str(fresh), "import", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [f["format"] for f in summary["files"]] == [READ_AS[fmt]]
    assert summary["totals"]["records"] == len(ids)
    got_ids, got_marks = _state(fresh)
    want_ids, want_marks = _state(folder)
    assert got_ids == want_ids
    assert got_marks == want_marks


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".tsv"])
def test_csv_with_tagged_lines_is_csv_whatever_its_name(
    hostile_library: tuple[Path, list[str]],
    suffix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, ids = hostile_library
    path = tmp_path / f"export{suffix}"
    assert main(["--library", str(folder), "export", "--format", "csv", "-o", str(path)]) == 0
    capsys.readouterr()
    assert main(["--library", str(tmp_path / "fresh"), "import", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"][0]["format"] == "csv_tsv"
    assert summary["totals"]["records"] == len(ids)


def test_markdown_export_is_not_read_as_another_format(
    hostile_library: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = hostile_library
    path = tmp_path / "export.md"
    assert main(["--library", str(folder), "export", "--format", "md", "-o", str(path)]) == 0
    capsys.readouterr()
    code = main(["--library", str(tmp_path / "fresh"), "import", str(path), "--json"])
    summary = json.loads(capsys.readouterr().out)
    # Markdown is for reading: no importer claims it, so no phantom record appears.
    assert code == 2
    assert summary["totals"]["records"] == 0
    assert "not a recognised export format" in summary["files"][0]["error"]
