"""The key table: one id per action, clashes reported, every id remappable, README in step."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.config import SORT_KEYS, load_config
from peerlit_tui.ui.bindings import bound_action
from peerlit_tui.ui.keys import (
    CONTEXT_NAMES,
    CONTEXT_PARENTS,
    GROUPS,
    KEY_TABLE,
    check_keymap,
    default_problems,
    key_display,
    keymap_problems,
    markdown_tables,
)
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.sorting import sort_options
from tests.ui.conftest import make_test_app, settle

README = Path(__file__).resolve().parents[2] / "README.md"


def test_one_row_per_id_and_no_clash_among_the_defaults() -> None:
    ids = [row.id for row in KEY_TABLE]
    assert len(ids) == len(set(ids))
    assert default_problems() == []
    for row in KEY_TABLE:
        assert row.context in CONTEXT_PARENTS and row.context in CONTEXT_NAMES
        assert row.group in GROUPS
        assert row.help and row.description


def test_a_remap_onto_another_actions_key_names_both_actions() -> None:
    problems = keymap_problems({"main.cycle_sort": "o"})
    assert len(problems) == 1
    assert "main.cycle_sort" in problems[0] and "app.open_link" in problems[0]
    hidden = keymap_problems({"screening.include": "y"})
    assert len(hidden) == 1
    assert "hides app.copy_menu" in hidden[0] and "screening mode" in hidden[0]
    # The list's own n (next unscreened) would hide a screening key remapped onto it.
    assert any("list.next_unscreened" in p for p in keymap_problems({"screening.exclude": "n"}))
    assert keymap_problems({"main.include": "i,plus"})  # plus is Expand all on the screen
    assert keymap_problems({}) == []


def test_old_ids_still_work_and_unknown_ids_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"tags.include" = "ctrl+n"\n"main.bogus" = "z"\n', encoding="utf-8")
    config, warnings = load_config(path)
    assert warnings == []
    problems = check_keymap(config)
    assert len(problems) == 1 and "main.bogus" in problems[0] and ":3:" in problems[0]
    assert config.keymap == {"main.include": "ctrl+n"}


def _every_id_remapped() -> dict[str, str]:
    return {row.id: f"f{101 + n}" for n, row in enumerate(KEY_TABLE)}


def test_every_id_can_be_remapped_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    lines = "\n".join(f'"{key_id}" = "{keys}"' for key_id, keys in _every_id_remapped().items())
    path.write_text(f"[keymap]\n{lines}\n", encoding="utf-8")
    config, warnings = load_config(path)
    assert warnings + check_keymap(config) == []
    assert config.keymap == _every_id_remapped()


async def test_every_main_screen_action_fires_on_its_new_key(
    ui_library: Path, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    keymap = _every_id_remapped()
    lines = "\n".join(f'"{key_id}" = "{keys}"' for key_id, keys in keymap.items())
    path.write_text(f"[keymap]\n{lines}\n", encoding="utf-8")
    app = make_test_app(ui_library, config_path=path)
    fired: list[str] = []

    async def spy(action: Any, default_namespace: Any = None) -> bool:
        fired.append(str(action))
        return True

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            assert app.config_warnings == []
            focus = {
                "list": screen.record_list, "main": screen.record_list, "app": screen.record_list,
                "empty": screen.record_list, "screening": screen.record_list,
                "detail": screen.detail, "tags": screen.tags,
            }  # fmt: skip
            app.run_action = spy  # type: ignore[method-assign]
            tried = 0
            for row in KEY_TABLE:
                if row.context not in focus or row.priority:
                    continue
                focus[row.context].focus()
                await pilot.pause()
                fired.clear()
                await pilot.press(keymap[row.id])
                assert fired == [bound_action(row.action, row.context)], row.id
                tried += 1
            assert tried > 60
    finally:
        app.close_services()


def _readme_keymap() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text[text.index("## Configuration") :], re.S)
    assert block is not None
    return dict(tomllib.loads(block.group(1))["keymap"])


def test_the_readme_keymap_example_is_clean() -> None:
    keymap = _readme_keymap()
    assert keymap and keymap_problems(keymap) == []


async def test_the_readme_keymap_leaves_i_including(ui_library: Path, tmp_path: Path) -> None:
    keymap = _readme_keymap()
    path = tmp_path / "config.toml"
    path.write_text(
        "[keymap]\n" + "\n".join(f'"{k}" = "{v}"' for k, v in keymap.items()) + "\n",
        encoding="utf-8",
    )
    app = make_test_app(ui_library, config_path=path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen) and screen.services is not None
            first = screen.record_list.current_id
            assert first is not None
            await pilot.press("i")
            await settle(pilot)
            assert screen.services.annotations.get(first).decision == "include"
            await pilot.press("f2")
            await settle(pilot)
            await pilot.press("j")
            await settle(pilot)
            second = screen.record_list.current_id
            assert second is not None and second != first
            include_keys = keymap["screening.include"].split(",")
            await pilot.press(include_keys[-1])
            await settle(pilot)
            assert screen.services.annotations.get(second).decision == "include"
    finally:
        app.close_services()


def test_readme_key_tables_are_the_key_table() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- keys: generated from peerlit_tui/ui/key_table.py -->\n", "<!-- keys: end -->"
    assert start in text and end in text
    shown = text[text.index(start) + len(start) : text.index(end)]
    assert shown.strip() == markdown_tables().strip()


def test_key_display_reads_like_a_keyboard() -> None:
    assert key_display("ctrl+s") == "^s"
    assert key_display("right_curly_bracket") == "}"
    assert key_display("f2") == "F2"
    assert key_display("escape") == "Esc"


@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_sort_key_has_words_for_both_directions(key: str) -> None:
    option = next(o for o in sort_options() if o.key == key)
    assert option.text(False) != option.text(True)
