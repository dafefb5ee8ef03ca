"""The user config file: defaults, every setting, and broken files."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from peerlit_tui.config import (
    DEFAULT_FILE,
    LIST_COLUMNS,
    Config,
    check_choices,
    config_path,
    load_config,
)
from peerlit_tui.config_toml import key_lines, to_toml

FULL = """\
theme = "nord"
list_columns = ["decision", "title", "tags"]

[default_sort]
key = "year"
reverse = true

[highlight]
enabled = false
include_words = ["peer support", "child*", "Peer  Support"]
exclude_words = ["rat"]

[screening]
auto_advance = false

[keymap]
"screening.include" = "y"
"list.down" = "down, j"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults_without_warnings(tmp_path: Path) -> None:
    config, warnings = load_config(tmp_path / "absent.toml")
    assert warnings == []
    assert config == Config()
    assert config.theme == "textual-dark"
    assert config.default_sort.key == "added" and config.default_sort.reverse is False
    assert config.list_columns == list(LIST_COLUMNS)
    assert config.keymap == {}
    assert config.highlight.enabled and config.highlight.include_words == []
    assert config.screening.auto_advance is True


def test_every_setting_is_read(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, FULL))
    assert warnings == []
    assert config.theme == "nord"
    assert config.list_columns == ["decision", "title", "tags"]
    assert (config.default_sort.key, config.default_sort.reverse) == ("year", True)
    assert config.highlight.enabled is False
    # A repeat that differs only in case and spacing is dropped.
    assert config.highlight.include_words == ["peer support", "child*"]
    assert config.highlight.exclude_words == ["rat"]
    assert config.screening.auto_advance is False
    assert config.keymap == {"screening.include": "y", "list.down": "down,j"}


def test_default_file_reads_as_the_defaults(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, DEFAULT_FILE))
    assert warnings == []
    assert config == Config()


def test_shown_toml_reads_back_to_the_same_settings(tmp_path: Path) -> None:
    config, _ = load_config(write(tmp_path, FULL))
    config.highlight.include_words.append('quote " back\\slash ünï')
    text = config.to_toml()
    assert tomllib.loads(text) == config.to_json()
    again, warnings = load_config(write(tmp_path, text))
    assert warnings == [] and again == config


def test_to_toml_escapes_what_toml_forbids() -> None:
    data = {"a": "del \x7f, tab \t, nl \n", "t": {"k.ey": ["x"], "b": False, "n": 2}}
    assert tomllib.loads(to_toml(data)) == data


def test_syntax_error_names_file_and_line_and_falls_back(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n\n[default_sort\nkey = "year"\n')
    config, warnings = load_config(path)
    assert config == Config()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}:3: TOML syntax error")
    assert "default settings" in warnings[0]


def test_wrong_type_names_the_line_and_keeps_the_other_settings(tmp_path: Path) -> None:
    text = FULL.replace("reverse = true", 'reverse = "yes"').replace('key = "year"', 'key = "date"')
    path = write(tmp_path, text)
    config, warnings = load_config(path)
    assert warnings == [
        f"{path}:5: default_sort.key must be one of added, year, author, title, journal, "
        "relevance, priority, not the string 'date'; using 'added'",
        f"{path}:6: default_sort.reverse must be true or false, not the string 'yes'; using false",
    ]
    assert config.default_sort.key == "added" and config.default_sort.reverse is False
    # Everything else in the file still applies.
    assert config.theme == "nord"
    assert config.highlight.exclude_words == ["rat"]
    assert config.keymap["screening.include"] == "y"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("theme = 3\n", 1, "theme must be a non-empty string"),
        ('\n\nlist_columns = "year"\n', 3, "list_columns must be a list of strings"),
        ('list_columns = ["year", "pages"]\n', 1, "unknown column 'pages'"),
        ("[screening]\nauto_advance = 1\n", 2, "screening.auto_advance must be true or false"),
        ('[highlight]\ninclude_words = ["ok", "*"]\n', 2, "needs at least one letter"),
        ('[keymap]\n"main.include" = 5\n', 2, "keymap.main.include must be keys"),
        ('[keymap]\n"not an id" = "x"\n', 2, "is not a binding id"),
        ("colour = 1\n", 1, "unknown setting 'colour'"),
        ("keymap = 1\n", 1, "keymap must be a table"),
        ("default_sort = {key = 'x'}\n", 1, "default_sort.key must be one of"),
    ],
)
def test_each_bad_value_is_reported_on_its_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, text)
    _, warnings = load_config(path)
    assert len(warnings) >= 1
    assert warnings[0].startswith(f"{path}:{line}: ")
    assert fragment in warnings[0]


def test_partly_bad_word_list_keeps_the_good_words(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, '[highlight]\ninclude_words = ["ok", "*"]\n'))
    assert config.highlight.include_words == ["ok"]
    assert len(warnings) == 1


def test_title_column_cannot_be_hidden(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, 'list_columns = ["year", "DECISION"]\n'))
    assert config.list_columns == ["decision", "year", "title"]
    assert warnings and "title column is always shown" in warnings[0]


def test_sort_shorthand_and_inline_table(tmp_path: Path) -> None:
    config, warnings = load_config(write(tmp_path, 'default_sort = "Journal"\n'))
    assert warnings == [] and config.default_sort.key == "journal"
    config, warnings = load_config(
        write(tmp_path, "default_sort = {key = 'title', reverse = true}\n")
    )
    assert warnings == [] and (config.default_sort.key, config.default_sort.reverse) == (
        "title",
        True,
    )


def test_undecodable_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "nord"\ntheme2 = "\xff"\n')
    config, warnings = load_config(path)
    assert config == Config()
    assert warnings == [f"{path}:2: the config file is not UTF-8 text; using the default settings"]


def test_check_choices_resets_unknown_theme_and_bindings(tmp_path: Path) -> None:
    path = write(tmp_path, FULL.replace('"nord"', '"neon"'))
    config, warnings = load_config(path)
    assert warnings == []
    problems = check_choices(
        config, themes=["textual-dark", "nord"], binding_ids=["screening.include"]
    )
    assert config.theme == "textual-dark"
    assert config.keymap == {"screening.include": "y"}
    assert problems[0].startswith(f"{path}:1: theme 'neon' is not available")
    assert problems[1].startswith(f"{path}:18: keymap: no binding is called 'list.down'")


def test_config_path_honours_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "x.toml"))
    assert config_path() == tmp_path / "x.toml"
    monkeypatch.delenv("PEERLIT_CONFIG")
    assert config_path().name == "config.toml" and "peerlit" in config_path().parts


def test_key_lines_follow_tables_dotted_keys_and_skip_strings() -> None:
    text = '# comment = 1\na = """\nb = 2\n"""\nc.d = 1\n[ \'e\' . f ]\n"g.h" = 1\n'
    lines = key_lines(text)
    assert lines[("a",)] == 2
    assert ("b",) not in lines
    assert lines[("c", "d")] == 5 and lines[("c",)] == 5
    assert lines[("e", "f")] == 6
    assert lines[("e", "f", "g.h")] == 7


def test_readme_example_is_a_valid_config(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config, warnings = load_config(write(tmp_path, example))
    assert warnings == []
    assert config.theme == "nord" and config.default_sort.key == "year"
    assert config.keymap["screening.include"] == "I,Y"
    from peerlit_tui.ui.keys import check_keymap

    assert check_keymap(config) == []  # no clash: the example works as printed


def test_a_picked_theme_is_written_keeping_the_rest_of_the_file(tmp_path: Path) -> None:
    from peerlit_tui.config import save_theme

    path = write(
        tmp_path, '# my settings\ntheme = "nord"  # dark\n\n[keymap]\n"main.include" = "y"\n'
    )
    save_theme("gruvbox", path)
    config, warnings = load_config(path)
    assert warnings == [] and config.theme == "gruvbox"
    assert config.keymap == {"main.include": "y"}
    assert path.read_text(encoding="utf-8").startswith("# my settings\n")
    fresh = tmp_path / "new" / "config.toml"
    save_theme("nord", fresh)
    assert load_config(fresh)[0].theme == "nord"
    keymap_only = write(tmp_path, '[keymap]\n"main.include" = "y"\n')
    save_theme("dracula", keymap_only)
    assert load_config(keymap_only)[0].theme == "dracula"


def test_the_key_table_checks_a_keymap_without_a_toolkit(tmp_path: Path) -> None:
    from peerlit_tui.ui.keys import check_keymap

    path = write(tmp_path, '[keymap]\n"main.cycle_sort" = "o"\n"main.nope" = "z"\n')
    config, warnings = load_config(path)
    assert warnings == []
    problems = check_keymap(config)
    assert problems[0].startswith(f"{path}:3: keymap: no binding is called 'main.nope'")
    assert "main.cycle_sort" in problems[1] and "app.open_link" in problems[1]
    assert config.keymap == {"main.cycle_sort": "o"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "  ", "/tmp/xdg-config", "relative/dir", "~/cfg"])
def test_the_config_path_is_platformdirs_own_without_loading_it(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platformdirs import user_config_dir

    from peerlit_tui.config_path import config_path

    monkeypatch.delenv("PEERLIT_CONFIG", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    expected = Path(user_config_dir("peerlit", appauthor=False)) / "config.toml"
    assert config_path() == expected
