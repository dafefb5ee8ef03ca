"""`list` counts and stops at --limit, `show` keeps labels apart, queries are complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerlit_tui.cli import records as records_cli
from peerlit_tui.cli.show_text import format_record
from peerlit_tui.model import Record
from peerlit_tui.query import parse
from peerlit_tui.services.library import Library
from peerlit_tui.services.search import search_ids
from tests.cli.helpers import run, run_json, sample_library


@pytest.fixture
def lib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[str]]:
    folder = tmp_path / "library"
    return folder, sample_library(folder, capsys)


def test_list_ends_with_a_count_on_stderr(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    assert run(folder, "list") == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == len(ids) == 10
    assert err.strip() == "10 of 10 records"
    assert run(folder, "list", "peer", "--limit", "2") == 0
    out, err = capsys.readouterr()
    matching = len(search_ids(Library.open(folder), "peer"))
    assert len(out.splitlines()) == 2
    assert err.strip() == f"2 shown of {matching} matching, 10 records (--limit 2)"


def test_list_json_stays_a_pure_array(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    capsys.readouterr()
    assert run(folder, "list", "--json") == 0
    out, err = capsys.readouterr()
    assert [item["id"] for item in json.loads(out)] == ids
    assert err == ""


@pytest.mark.parametrize("query", ["", "peer", "support -ward", "year:<2015", "decision:include"])
@pytest.mark.parametrize("limit", [1, 3, 20])
def test_first_matches_grow_until_the_limit_and_equal_a_full_search(
    lib: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch, query: str, limit: int
) -> None:
    folder, ids = lib
    run(folder, "decide", ids[4], "include")
    run(folder, "decide", ids[7], "include")
    monkeypatch.setattr(records_cli, "_FIRST_SLICE", 2)  # search 2, then 8, then all
    from peerlit_tui.services.annotations import AnnotationService

    library = Library.open(folder)
    with AnnotationService.open(folder, read_only=True) as annotations:
        full = search_ids(library, query, annotations)
        found, matched = records_cli.first_matches(library, parse(query), annotations, limit)
    library.close()
    assert found == full[:limit]
    assert matched is None or matched == len(full)


def test_an_empty_field_is_a_query_error_on_the_command_line(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = lib
    capsys.readouterr()
    assert run(folder, "list", "purpose:") == 2
    assert "purpose: at 0 needs a value" in capsys.readouterr().err
    assert run(folder, "export", "peer", "findings:", "--format", "ris") == 2
    assert "findings: at 5 needs a value" in capsys.readouterr().err
    # While typing in the app the same text is still a query on its way.
    assert parse("purpose:").root == parse("").root


def test_show_keeps_a_space_between_long_labels_and_values() -> None:
    record = Record(title="A title", listing_count=1600, extra={"label_included_long": "0"})
    lines = list(format_record(record, [], {}))
    assert "Listing count 1600" in lines
    assert "label_included_long 0" in lines
    assert "Title         A title" in lines


def test_show_does_not_break_dois_or_ahead_of_print_across_lines() -> None:
    doi = "10.1108/mhsi-12-2023-0139-with-a-long-suffix-that-reaches-past-the-line-end-of-88"
    record = Record(title="T", doi=doi)
    assert any(line.endswith(doi) for line in format_record(record, [], {}))


def test_show_json_and_text_of_the_sample(
    lib: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = lib
    shown = run_json(folder, capsys, "show", ids[0])
    assert shown["id"] == ids[0]  # type: ignore[index]
    # Emerald's "vol. ahead-of-print no. ahead-of-print" is no volume or issue.
    assert (shown["volume"], shown["issue"]) == ("", "")  # type: ignore[index]
    assert run(folder, "export", "--format", "ris") == 0
    assert "ahead-of-print" not in capsys.readouterr().out
