"""The format registry: which formats compete for a file, and what an unknown file is told."""

from __future__ import annotations

from pathlib import Path

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.registry import NEVER_TABLES, all_formats, format_names, get_format


def test_every_format_but_the_tabular_ones_stays_out_of_a_table() -> None:
    # A format missing here could claim a CSV export whose cells quote its lines.
    assert NEVER_TABLES == set(format_names()) - {"csv_tsv", "xlsx"}


def test_a_csv_whose_cells_quote_ris_lines_is_read_as_a_table(tmp_path: Path) -> None:
    # The PubMed XML, Refer and Ovid sniffers read the file's opening only, so only
    # a format whose sniffer looks further (RIS) can be tempted by a cell.
    path = tmp_path / "export.txt"
    path.write_text(
        "title,authors,year,notes\n"
        '"Quoted record:\nTY  - JOUR\nTI  - Another title\nAU  - Gray, B.\nER  - ",Gray B,2020,x\n'
        'Peer support in recovery,Sisto M,2021,"plain"\n',
        encoding="utf-8",
    )
    source = SourceFile.read(path)
    assert get_format("ris").sniff(source) > 0.7  # the score a table gets
    result = read_file(path)
    assert result.error is None and result.format == "csv_tsv"
    assert [r.year for r in result.records] == [2020, 2021]
    assert result.records[1].title == "Peer support in recovery"


def test_an_unrecognised_file_is_told_every_format_the_registry_knows(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some words\nand more words\n", encoding="utf-8")
    error = read_file(path).error or ""
    assert error.startswith("not a recognised export format")
    assert error.endswith("use --format to force one")
    labels = [f.label for f in all_formats()]
    assert {"PubMed XML", "Ovid text", "EndNote tagged / Refer", "RIS"} <= set(labels)
    for label in labels:
        assert label in error
