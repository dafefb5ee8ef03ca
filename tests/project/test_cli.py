"""`peerlit config`, `criteria`, `words` and `searches`."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pytest

from peerlit_tui.cli import main
from peerlit_tui.config import DEFAULT_FILE


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    config = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("PEERLIT_CONFIG", str(config))
    return tmp_path / "library", config


def run(lib: Path, *argv: str) -> int:
    return main(["--library", str(lib), *argv])


def run_json(lib: Path, capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> object:
    capsys.readouterr()
    assert run(lib, *argv, "--json") == code
    return json.loads(capsys.readouterr().out)


def test_config_path_init_show(env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    lib, config = env
    assert run(lib, "config", "path") == 0
    assert capsys.readouterr().out.strip() == str(config)
    assert run_json(lib, capsys, "config", "path") == {"path": str(config), "exists": False}
    assert run(lib, "config", "init") == 0
    assert config.read_text(encoding="utf-8") == DEFAULT_FILE
    capsys.readouterr()
    assert run(lib, "config", "init") == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err
    assert config.read_text(encoding="utf-8") == DEFAULT_FILE
    assert run(lib, "config", "show") == 0
    shown = capsys.readouterr().out
    assert tomllib.loads(shown)["default_sort"] == {"key": "added", "reverse": False}


def test_config_show_names_both_actions_of_a_keymap_clash(
    env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lib, config = env
    config.parent.mkdir()
    config.write_text('reviewer = "alice"\n[keymap]\n"main.cycle_sort" = "o"\n', encoding="utf-8")
    capsys.readouterr()
    assert run(lib, "config", "show") == 1
    captured = capsys.readouterr()
    assert "main.cycle_sort (Sort)" in captured.err and "app.open_link (Open link)" in captured.err
    assert tomllib.loads(captured.out)["reviewer"] == "alice"  # a known setting, no warning
    assert "unknown setting" not in captured.err


def test_config_show_reports_a_broken_file(
    env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lib, config = env
    config.parent.mkdir()
    config.write_text('theme = "nord"\n[default_sort]\nkey = 5\n', encoding="utf-8")
    capsys.readouterr()
    assert run(lib, "config") == 1
    captured = capsys.readouterr()
    assert f"{config}:3: default_sort.key must be one of" in captured.err
    assert tomllib.loads(captured.out)["theme"] == "nord"
    out = run_json(lib, capsys, "config", "show", code=1)
    assert out["config"]["default_sort"]["key"] == "added"  # type: ignore[index]
    assert len(out["warnings"]) == 1  # type: ignore[index]


def test_criteria_set_show_and_stdin(
    env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, _ = env
    assert run(lib, "criteria") == 0
    assert "no inclusion criteria yet" in capsys.readouterr().out
    assert run_json(lib, capsys, "criteria", "--set", "Adults only") == {"criteria": "Adults only"}
    monkeypatch.setattr("sys.stdin", io.StringIO("Line one\nLine two\n"))
    assert run(lib, "criteria", "--set", "-") == 0
    assert run_json(lib, capsys, "criteria") == {"criteria": "Line one\nLine two"}


def test_words_add_remove_and_errors(
    env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lib, config = env
    config.parent.mkdir()
    config.write_text('[highlight]\ninclude_words = ["trial"]\n', encoding="utf-8")
    assert run_json(lib, capsys, "words") == {"include": ["trial"], "exclude": []}
    out = run_json(lib, capsys, "words", "--include", "child*", "--exclude", "rat", "mice")
    assert out == {"include": ["trial", "child*"], "exclude": ["rat", "mice"]}
    out = run_json(lib, capsys, "words", "--remove", "RAT", "Trial")
    assert out == {"include": ["child*"], "exclude": ["mice"]}
    capsys.readouterr()
    assert run(lib, "words", "--remove", "absent", "mice") == 2
    assert "not in either list: absent" in capsys.readouterr().err
    assert run(lib, "words", "--include", "ok", "*") == 2
    assert run(lib, "words", "--include", "x", "--exclude", "X") == 2
    assert run_json(lib, capsys, "words") == {"include": ["child*"], "exclude": ["mice"]}
    assert run(lib, "words") == 0
    assert capsys.readouterr().out == "include: child*\nexclude: mice\n"


def test_saved_searches_commands(
    env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lib, _ = env
    out = run_json(lib, capsys, "searches", "--save", "1", "peer support", "--name", "Peers")
    assert out == {"searches": [{"slot": 1, "name": "Peers", "query": "peer support"}]}
    run_json(lib, capsys, "searches", "--save", "4", "year:>2015")
    out = run_json(lib, capsys, "searches", "--rename", "4", "Recent", "--delete", "1")
    assert out == {"searches": [{"slot": 4, "name": "Recent", "query": "year:>2015"}]}
    capsys.readouterr()
    assert run(lib, "searches") == 0
    assert capsys.readouterr().out == "4  Recent: year:>2015\n"
    for argv in (
        ("--delete", "1"),
        ("--save", "0", "x"),
        ("--save", "2", "(peer"),
        ("--name", "x"),
        ("--rename", "3", "x"),
    ):
        assert run(lib, "searches", *argv) == 2, argv
    assert "cannot be read" in capsys.readouterr().err
