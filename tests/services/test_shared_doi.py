"""Records that share a DOI: distinct papers stay distinct, the same paper stays one record."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlit_tui.services.library import Library

SUPPLEMENT = "10.5555/suppl.2020.1"


def _ris(title: str, author: str, year: int = 2020, doi: str = SUPPLEMENT, pages: str = "") -> str:
    lines = [
        "TY  - JOUR",
        f"TI  - {title}",
        f"AU  - {author}",
        f"PY  - {year}",
        "JO  - Journal of Abstracts",
        f"DO  - {doi}",
    ]
    if pages:
        lines.append(f"SP  - {pages}")
    return "\n".join([*lines, "ER  - ", ""])


ABSTRACTS = [
    ("Peer support workers in acute psychiatric wards: a qualitative study", "Smith, Jane"),
    ("Loneliness among older adults after hospital discharge", "Okafor, Chidi"),
    ("A randomised trial of exercise for depressive symptoms in adolescents", "Berg, Anna"),
]


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


def _file(tmp_path: Path, name: str, *entries: str) -> Path:
    path = tmp_path / name
    path.write_text("".join(entries), encoding="utf-8")
    return path


def test_distinct_papers_sharing_a_doi_keep_ids_of_their_own(
    library: Library, tmp_path: Path
) -> None:
    path = _file(tmp_path, "suppl.ris", *(_ris(t, a) for t, a in ABSTRACTS))
    summary = library.import_files([path])
    file = summary.files[0]
    assert (file.added, file.already_present, file.shared_doi) == (3, 0, 2)
    assert summary.to_json()["totals"]["shared_doi"] == 2
    ids = library.columns().ids
    assert ids[0] == SUPPLEMENT
    assert all(i.startswith(SUPPLEMENT + "#") and len(i) == len(SUPPLEMENT) + 7 for i in ids[1:])
    titles = {library.get(i).title for i in ids}  # type: ignore[union-attr]
    assert titles == {t for t, _ in ABSTRACTS}
    # Each split record is linked to the record holding the bare DOI, visibly, as a
    # pair of different papers (not counted as a duplicate).
    for other in ids[1:]:
        assert library.duplicates_of(other) == [
            {"id": SUPPLEMENT, "reason": "shared DOI, different paper", "status": "distinct"}
        ]
    assert library.store.linked_ids() == set()


def test_reimport_finds_the_same_split_ids(library: Library, tmp_path: Path) -> None:
    path = _file(tmp_path, "suppl.ris", *(_ris(t, a) for t, a in ABSTRACTS))
    library.import_files([path])
    before = library.columns().ids
    again = library.import_files([path])
    assert (again.files[0].added, again.files[0].already_present) == (0, 3)
    assert again.files[0].split == []
    assert library.columns().ids == before


@pytest.mark.parametrize(
    "variant",
    [
        "PEER SUPPORT WORKERS IN ACUTE PSYCHIATRIC WARDS: A QUALITATIVE STUDY.",
        "Peer support workers in acute psychiatric wards",
        "Peer suport workers in acute psychiatric wards: a qualitative study",
        "Peer support workers in acute psychiatric wards - a qualitative study [abstract]",
    ],
)
def test_the_same_paper_with_a_slightly_different_title_stays_one_record(
    library: Library, tmp_path: Path, variant: str
) -> None:
    first = _file(tmp_path, "a.ris", _ris(ABSTRACTS[0][0], "Smith, Jane"))
    second = _file(tmp_path, "b.ris", _ris(variant, "Smith, J."))
    library.import_files([first])
    summary = library.import_files([second])
    assert (summary.files[0].added, summary.files[0].shared_doi) == (0, 0)
    assert library.columns().ids == [SUPPLEMENT]


def test_a_record_that_bundled_several_papers_is_split_and_keeps_its_annotations_id(
    library: Library, tmp_path: Path
) -> None:
    path = _file(tmp_path, "suppl.ris", *(_ris(t, a) for t, a in ABSTRACTS))
    # A library made by the exact-key identity: one record under the bare DOI that
    # holds the first paper and was read from this file (the others merged into it).
    store = library.store
    from peerlit_tui.importers.pipeline import read_file

    result = read_file(path)
    store.begin()
    store.insert(result.records[0], "2020-01-01T00:00:00Z", "")
    store.add_source(SUPPLEMENT, result.records[0].sources[0])
    store.commit()
    summary = library.import_files([path])
    file = summary.files[0]
    assert (file.added, file.already_present, file.shared_doi) == (2, 1, 2)
    assert [s["id"] for s in file.split] == [SUPPLEMENT, SUPPLEMENT]
    assert {s["split_off"] for s in file.split} == set(library.columns().ids[1:])
    kept = library.get(SUPPLEMENT)
    assert kept is not None and kept.title == ABSTRACTS[0][0]
    assert summary.to_json()["totals"]["split"] == 2


def test_cli_import_says_how_many_share_a_doi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from peerlit_tui.cli import main

    path = _file(tmp_path, "suppl.ris", *(_ris(t, a) for t, a in ABSTRACTS))
    assert main(["--library", str(tmp_path / "cli"), "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 records share a DOI with a different paper" in out
    assert main(["--library", str(tmp_path / "cli"), "duplicates"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("different papers  (shared DOI, different paper)") == 2


@pytest.mark.parametrize("fmt", ["ris", "csv", "csljson", "bibtex"])
def test_an_export_of_split_records_comes_back_with_the_same_ids_and_annotations(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from peerlit_tui.cli import main

    source = _file(tmp_path, "suppl.ris", *(_ris(t, a) for t, a in ABSTRACTS))
    first, fresh = str(tmp_path / "first"), str(tmp_path / "fresh")
    assert main(["--library", first, "import", str(source)]) == 0
    lib = Library.open(Path(first))
    ids = lib.columns().ids
    lib.close()
    assert main(["--library", first, "tag", ids[2], "keep-me"]) == 0
    out = tmp_path / f"export.{fmt}"
    assert main(["--library", first, "export", "--format", fmt, "-o", str(out)]) == 0
    assert main(["--library", fresh, "import", str(out)]) in (0, 1)
    again = Library.open(Path(fresh))
    assert again.columns().ids == ids
    again.close()
    capsys.readouterr()
    assert main(["--library", fresh, "show", ids[2], "--json"]) == 0
    assert "keep-me" in capsys.readouterr().out
