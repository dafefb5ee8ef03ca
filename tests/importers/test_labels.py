"""Screening labels of other review tools: read from records, applied as one undo step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerlit_tui.cli import main
from peerlit_tui.importers.labels import read_label
from peerlit_tui.model import Record

DIALECTS = Path(__file__).parents[1] / "fixtures" / "dialects"


def label_of(**extra: str) -> tuple[str, str, list[str], list[str], bool] | None:
    found = read_label(Record(title="t", extra=dict(extra)))
    if found is None:
        return None
    return found.tool, found.decision, found.reasons, found.tags, found.disagreement


@pytest.mark.parametrize(
    ("value", "decision"),
    [("1", "include"), ("0", "exclude"), ("1.0", "include"), ("0.0", "exclude")],
)
def test_asreview_label_values(value: str, decision: str) -> None:
    assert label_of(label_included=value) == ("ASReview", decision, [], [], False)


@pytest.mark.parametrize("value", ["", "-1", "  "])
def test_asreview_unlabelled_values_give_no_label(value: str) -> None:
    assert label_of(label_included=value) is None


def test_eppi_reviewer_included_column() -> None:
    assert label_of(label_included="I") == ("EPPI-Reviewer", "include", [], [], False)
    assert label_of(label_included="E") == ("EPPI-Reviewer", "exclude", [], [], False)


def test_rayyan_inclusion_reasons_and_labels() -> None:
    notes = (
        'RAYYAN-INCLUSION: {"Alice"=>"Excluded", "Bob"=>"Excluded"} | '
        "RAYYAN-EXCLUSION-REASONS: wrong population,wrong outcome | RAYYAN-LABELS: pilot,kids"
    )
    assert label_of(notes=notes) == (
        "Rayyan", "exclude", ["wrong population", "wrong outcome"], ["pilot", "kids"], False
    )  # fmt: skip


def test_rayyan_reviewers_who_disagree_give_no_decision() -> None:
    notes = 'RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}'
    assert label_of(notes=notes) == ("Rayyan", "", [], [], True)


def test_rayyan_csv_doubled_quotes() -> None:
    notes = 'RAYYAN-INCLUSION: {""Emily""=>""Maybe""}'
    assert label_of(notes=notes) == ("Rayyan", "maybe", [], [], False)


@pytest.mark.parametrize(
    ("consensus", "reviewer", "decision"),
    [("1", "", "include"), ("-1", "", "exclude"), ("0", "", "maybe"), ("o", "-1", "exclude")],
)
def test_abstrackr_consensus_and_single_reviewer(
    consensus: str, reviewer: str, decision: str
) -> None:
    found = label_of(consensus=consensus, Anonymous=reviewer, pmid="0")
    assert found == ("abstrackr", decision, [], [], False)


def test_abstrackr_reviewers_who_disagree() -> None:
    assert label_of(consensus="o", Ann="1", Bob="-1") == ("abstrackr", "", [], [], True)


def test_covidence_tags() -> None:
    assert label_of(Tags="pilot; adults") == ("Covidence", "", [], ["pilot", "adults"], False)


def test_record_without_labels() -> None:
    assert label_of(notes="a plain note") is None


# --- through the command line ---------------------------------------------------------


def run(lib: Path, *argv: str) -> int:
    return main(["--library", str(lib), *argv])


def test_labels_found_but_not_applied_without_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    assert run(lib, "import", str(DIALECTS / "rayyan.ris")) == 0
    out = capsys.readouterr().out
    assert f"screening labels found in {DIALECTS / 'rayyan.ris'} (3 records, Rayyan)" in out
    assert "import with --labels to apply them" in out
    assert run(lib, "list", "decision:include", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_labels_applied_as_one_undo_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    files = [str(DIALECTS / n) for n in ("rayyan.ris", "abstrackr.csv", "eppi_reviewer.xlsx")]
    assert run(lib, "import", "--labels", "--json", *files) == 0
    labels = json.loads(capsys.readouterr().out)["labels"]
    assert (labels["found"], labels["applied"], labels["conflicts"]) == (9, 9, [])
    assert [f["tools"] for f in labels["files"]] == [["Rayyan"], ["abstrackr"], ["EPPI-Reviewer"]]
    assert run(lib, "list", "decision:include", "--json") == 0
    included = {r["title"][:30] for r in json.loads(capsys.readouterr().out)}
    # Rayyan: Included, Included, Maybe; abstrackr: 1, 1, -1; EPPI-Reviewer: I, I, I.
    assert len(included) == 6
    assert run(lib, "list", "decision:maybe", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert run(lib, "undo") == 0
    capsys.readouterr()
    assert run(lib, "list", "decision:include", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_labels_do_not_overwrite_decisions_already_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    assert run(lib, "import", str(DIALECTS / "rayyan.ris")) == 0
    assert run(lib, "decide", "10.1038/s41467-024-48400-3", "exclude") == 0
    capsys.readouterr()
    assert run(lib, "import", "--labels", "--json", str(DIALECTS / "rayyan.ris")) == 0
    labels = json.loads(capsys.readouterr().out)["labels"]
    assert labels["applied"] == 2
    assert labels["conflicts"] == [
        {"id": "10.1038/s41467-024-48400-3", "field": "decision", "library": "exclude",
         "file": "include"}
    ]  # fmt: skip


def test_bad_map_option_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "lib", "import", "--map", "colour=x", str(DIALECTS / "ovid.csv")) == 2
    assert "unknown field 'colour'" in capsys.readouterr().err


def test_map_option_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Heading,Writers,Summary\nA study,Smith J,Some text.\n")
    lib = tmp_path / "lib"
    assert run(lib, "import", str(path)) == 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "no title column among: Heading, Writers, Summary; use --map title=COLUMN" in out
    lib2 = tmp_path / "lib2"
    assert run(lib2, "import", "--map", "title=Heading", "--map", "authors=Writers", str(path)) == 0
    captured = capsys.readouterr()
    assert "column among" not in captured.out + captured.err
    assert run(lib2, "list", "--json") == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["title"], item["title_derived"], item["authors"]) == (
        "A study",
        False,
        ["Smith J"],
    )


@pytest.mark.parametrize("name", ["abstrackr.csv", "rayyan.csv", "covidence.csv"])
def test_counting_table_labels_agrees_with_reading_them(name: str) -> None:
    from peerlit_tui.services.label_import import read_labels

    path = DIALECTS / name
    _, counted = read_labels([(path, "csv_tsv")], count_only=True)
    reading, read = read_labels([(path, "csv_tsv")])
    assert [(f.records, f.tools, f.disagreements) for f in counted] == [
        (f.records, f.tools, f.disagreements) for f in read
    ]
    assert len(reading.found) == sum(f.records for f in read)


def test_asreview_csv_labels_counted_and_applied(tmp_path: Path) -> None:
    from peerlit_tui.services.label_import import read_labels

    path = tmp_path / "asreview.csv"
    path.write_text(
        "record_id,title,abstract,label_included\n1,A,a,1\n2,B,b,0\n3,C,c,\n4,,,1\n5,E,e,-1\n"
    )
    _, counted = read_labels([(path, "csv_tsv")], count_only=True)
    reading, _ = read_labels([(path, "csv_tsv")])
    assert [(f.records, f.tools) for f in counted] == [(2, ["ASReview"])]
    assert [f.decision for f in reading.found] == ["include", "exclude"]


def test_same_labels_in_two_exports_of_one_tool_are_one_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    files = [str(DIALECTS / "rayyan.ris"), str(DIALECTS / "rayyan.csv")]
    assert run(lib, "import", "--labels", "--json", *files) == 0
    labels = json.loads(capsys.readouterr().out)["labels"]
    assert (labels["found"], labels["applied"], labels["problems"]) == (6, 3, [])
