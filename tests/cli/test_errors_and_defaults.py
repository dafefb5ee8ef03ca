"""Errors in words, nothing imported behind the user's back, and the defaults a user gets."""

from __future__ import annotations

import errno
import sqlite3
import sys
import tomllib
from pathlib import Path

import pytest

from peerlit_tui.cli import output_commands
from peerlit_tui.cli.context import explain
from peerlit_tui.cli.serve_command import SERVE_REQUIREMENT
from peerlit_tui.library_errors import LibraryReadOnlyError
from peerlit_tui.services import library as library_service
from peerlit_tui.services.project import DEFAULT_EXCLUSION_REASONS, sample_data_dir
from tests.cli.helpers import SAMPLE, Terminal, peerlit, run, run_json, sample_library
from tests.conftest import ROOT

LIB = Path("/somewhere/library")


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), "is read-only"),
        (sqlite3.OperationalError("database or disk is full"), "is full"),
        (sqlite3.OperationalError("database is locked"), "another peerlit is writing"),
        (OSError(errno.EROFS, "Read-only file system", "/somewhere/library/x"), "is read-only"),
        (PermissionError(errno.EACCES, "Permission denied", "/somewhere/library"), "read-only"),
        (OSError(errno.ENOSPC, "No space left on device"), "is full: nothing was saved"),
        (LibraryReadOnlyError(LIB, "its folder is not writable"), "its folder is not writable"),
    ],
)
def test_operating_system_and_sqlite_errors_are_said_in_words(exc: Exception, said: str) -> None:
    text = explain(exc, LIB)
    assert said in text
    assert "OperationalError" not in text and "unexpected error" not in text
    assert "/somewhere/library" in text


def test_a_read_only_library_is_named_never_an_operational_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(folder: Path, **kwargs: object) -> object:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(library_service.Library, "open", staticmethod(refuse))
    folder = tmp_path / "library"
    assert run(folder, "import", str(SAMPLE)) == 2
    err = capsys.readouterr().err
    assert f"the library folder {folder} is read-only" in err
    assert "OperationalError" not in err


def test_piped_peerlit_on_an_empty_library_imports_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    done = peerlit("--library", str(folder))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "is empty" in done.stderr and "peerlit import" in done.stderr
    library = library_service.Library.open(folder)
    assert library.count() == 0
    library.close()


def test_sample_data_is_package_data_found_through_importlib_resources() -> None:
    folder = sample_data_dir()
    assert folder is not None
    assert folder.parent == ROOT / "peerlit_tui"  # inside the package, so wheels carry it
    assert (folder / SAMPLE.name).read_bytes() == SAMPLE.read_bytes()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "sample_data/*" in pyproject["tool"]["setuptools"]["package-data"]["peerlit_tui"]


def test_serve_hint_pins_what_the_serve_extra_pins() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["optional-dependencies"]["serve"] == [SERVE_REQUIREMENT]


def test_a_new_library_starts_with_default_reasons_an_old_one_keeps_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "new"
    assert run_json(new, capsys, "reasons") == {"reasons": list(DEFAULT_EXCLUSION_REASONS)}
    assert run_json(new, capsys, "reasons", "--remove", "duplicate")["reasons"] == [  # type: ignore[index]
        r for r in DEFAULT_EXCLUSION_REASONS if r != "duplicate"
    ]
    for reason in DEFAULT_EXCLUSION_REASONS:
        if reason != "duplicate":
            run(new, "reasons", "--remove", reason)
    # Emptied by the user: it stays empty.
    assert run_json(new, capsys, "reasons") == {"reasons": []}
    # A library made before default reasons existed (records, no annotations) keeps none.
    old = tmp_path / "old"
    library_service.Library.open(old).close()
    assert run_json(old, capsys, "reasons") == {"reasons": []}


def test_export_to_a_pipe_defaults_to_ris_and_to_a_file_follows_the_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    ids = sample_library(folder, capsys)
    assert run(folder, "export", ids[0]) == 0
    out = capsys.readouterr().out
    assert out.startswith("TY  - ") and "ER  - " in out
    assert run(folder, "export", "-o", str(tmp_path / "out.bib")) == 0
    assert (tmp_path / "out.bib").read_text(encoding="utf-8").lstrip().startswith("@")
    assert "(BibTeX)" in capsys.readouterr().out
    # To a terminal, with neither --format nor -o, the user is asked.
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert run(folder, "export") == 2
    assert "say which format to print" in capsys.readouterr().err
    assert output_commands.DEFAULT_FORMAT == "ris"


def test_skipped_lines_go_to_stderr_capped_unless_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = "".join(f"TY  - JOUR\nTI  - Good record {i}\nPY  - 2020\nER  - \n" for i in range(3))
    export = tmp_path / "bad.ris"
    export.write_text(good + "TY  - JOUR\nER  - \n" * 15, encoding="utf-8")
    capsys.readouterr()
    assert run(tmp_path / "a", "import", str(export)) == 1
    out, err = capsys.readouterr()
    assert "15 skipped" in out and "skipped at line" not in out
    assert err.count("skipped at line") == 10
    assert "… and 5 more skipped lines" in err and "--verbose" in err
    assert run(tmp_path / "b", "import", str(export), "--verbose") == 1
    assert capsys.readouterr().err.count("skipped at line") == 15


def test_open_hands_the_import_summary_to_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_run_app(folder: Path, *args: object, **kwargs: object) -> int:
        seen.update(kwargs, folder=folder)
        return 0

    monkeypatch.setattr("peerlit_tui.ui.run_app", fake_run_app)
    assert run(tmp_path / "lib", "open", str(SAMPLE)) == 0
    notices = seen["notices"]
    assert isinstance(notices, list) and len(notices) == 1
    assert "10 added" in notices[0]
