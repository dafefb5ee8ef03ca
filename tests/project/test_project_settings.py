"""Project settings kept with the library: persistence, concurrency, atomic writes."""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pytest

from peerlit_tui.services.project import ProjectSettings, SavedSearch
from peerlit_tui.storage.project_file import PROJECT_JSON


def test_a_new_library_has_empty_settings(tmp_path: Path) -> None:
    settings = ProjectSettings(tmp_path / "lib")
    assert settings.criteria() == ""
    assert settings.include_words() == [] and settings.exclude_words() == []
    assert settings.saved_searches() == {}
    assert settings.warnings == []
    # Reading creates nothing.
    assert not (tmp_path / "lib").exists()


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    settings = ProjectSettings(tmp_path)
    assert settings.set_criteria("Include: adults\n\nExclude: children  \n")
    settings.set_words("include", ["peer support", "child*"])
    settings.add_word("exclude", "rat")
    settings.save_search(1, "peer support -student", name="Peers")
    settings.save_search("9", "year:>2015")
    restarted = ProjectSettings(tmp_path)
    assert restarted.criteria() == "Include: adults\n\nExclude: children"
    assert restarted.include_words() == ["peer support", "child*"]
    assert restarted.exclude_words() == ["rat"]
    assert restarted.saved_searches() == {
        1: SavedSearch(1, "Peers", "peer support -student"),
        9: SavedSearch(9, "year:>2015", "year:>2015"),
    }
    data = json.loads((tmp_path / PROJECT_JSON).read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["saved_searches"]["1"]["name"] == "Peers"


def test_criteria_are_cleaned_and_unchanged_text_writes_nothing(tmp_path: Path) -> None:
    settings = ProjectSettings(tmp_path)
    assert settings.set_criteria("a\x1b]52;c;aGk=\x07b\r\nc")
    assert settings.criteria() == "ab\nc"
    before = (tmp_path / PROJECT_JSON).stat().st_mtime_ns
    assert not settings.set_criteria("ab\nc")
    assert (tmp_path / PROJECT_JSON).stat().st_mtime_ns == before
    with pytest.raises(ValueError, match="limited"):
        settings.set_criteria("x" * 60_000)


def test_words_are_case_and_accent_insensitive_and_in_one_list(tmp_path: Path) -> None:
    settings = ProjectSettings(tmp_path)
    assert settings.add_word("include", "Çelik")
    assert not settings.add_word("include", "celik")
    assert settings.include_words() == ["Çelik"]
    # Adding a word to the other list moves it.
    assert settings.add_word("exclude", "CELIK")
    assert settings.include_words() == [] and settings.exclude_words() == ["CELIK"]
    assert settings.remove_word("exclude", "çelik")
    assert not settings.remove_word("exclude", "celik")
    with pytest.raises(ValueError, match="unknown word list"):
        settings.add_word("green", "x")
    with pytest.raises(ValueError, match="letter or digit"):
        settings.add_word("include", "**")
    settings.set_words("exclude", ["a", "b"])
    settings.set_words("include", ["B", "c"])
    assert settings.exclude_words() == ["a"] and settings.words("include") == ["B", "c"]


def test_word_defaults_come_from_the_config_the_first_time_only(tmp_path: Path) -> None:
    settings = ProjectSettings(tmp_path, include_words=["trial"], exclude_words=["mice"])
    assert settings.include_words() == ["trial"] and settings.exclude_words() == ["mice"]
    settings.remove_word("include", "trial")
    again = ProjectSettings(tmp_path, include_words=["trial", "rct"], exclude_words=["x"])
    assert again.include_words() == [] and again.exclude_words() == ["mice"]


def test_saved_searches_store_recall_rename_delete(tmp_path: Path) -> None:
    settings = ProjectSettings(tmp_path)
    saved = settings.save_search(3, "peer support")
    assert saved == SavedSearch(3, "peer support", "peer support")
    assert settings.rename_search(3, "Peers").name == "Peers"
    # Saving the same query again keeps the name; a new query takes its own.
    assert settings.save_search(3, "peer support").name == "Peers"
    assert settings.save_search(3, "mentor*").name == "mentor*"
    assert settings.saved_search(3) == SavedSearch(3, "mentor*", "mentor*")
    assert settings.delete_search(3)
    assert not settings.delete_search(3)
    assert settings.saved_search(3) is None
    for bad in (0, 10, "x"):
        with pytest.raises(ValueError, match="from 1 to 9"):
            settings.save_search(bad, "q")
    with pytest.raises(ValueError, match="cannot be read"):
        settings.save_search(1, "(peer")
    with pytest.raises(ValueError, match="needs a query"):
        settings.save_search(1, "  ")
    with pytest.raises(ValueError, match="no search is saved"):
        settings.rename_search(2, "x")


def test_another_instance_sees_changes_after_refresh(tmp_path: Path) -> None:
    first, second = ProjectSettings(tmp_path), ProjectSettings(tmp_path)
    first.add_word("include", "peer")
    assert second.include_words() == []
    assert second.refresh()
    assert second.include_words() == ["peer"]
    assert not second.refresh()
    # A change applies to the file's current content, not to the stale copy in memory.
    first.save_search(1, "a")
    second.add_word("include", "mentor")
    assert second.saved_searches()[1].query == "a"
    assert second.include_words() == ["peer", "mentor"]


def test_interrupted_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ProjectSettings(tmp_path)
    settings.set_criteria("old")
    before = (tmp_path / PROJECT_JSON).read_bytes()

    def fail(*_: object) -> None:
        raise OSError("disk pulled")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk pulled"):
        settings.set_criteria("new")
    monkeypatch.undo()
    assert (tmp_path / PROJECT_JSON).read_bytes() == before
    assert settings.criteria() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.json", "project.lock"]
    assert ProjectSettings(tmp_path).criteria() == "old"


def test_stale_temp_file_is_cleaned_up(tmp_path: Path) -> None:
    stale = tmp_path / f".{PROJECT_JSON}.abc123.tmp"
    stale.write_text("{half", encoding="utf-8")
    ProjectSettings(tmp_path).set_criteria("x")
    assert not stale.exists()


def test_unreadable_file_is_kept_aside_and_defaults_used(tmp_path: Path) -> None:
    (tmp_path / PROJECT_JSON).write_text('{"criteria": "lost?', encoding="utf-8")
    settings = ProjectSettings(tmp_path)
    assert settings.criteria() == ""
    assert (
        len(settings.warnings) == 1 and "cannot read the project settings" in settings.warnings[0]
    )
    settings.set_criteria("new")
    assert (tmp_path / "project.json.broken").read_text(encoding="utf-8") == '{"criteria": "lost?'
    assert ProjectSettings(tmp_path).criteria() == "new"


def test_values_of_the_wrong_shape_are_dropped_with_warnings(tmp_path: Path) -> None:
    data = {
        "criteria": 5,
        "include_words": "peer",
        "exclude_words": ["rat", 3],
        "saved_searches": {"1": {"query": "ok"}, "12": {"query": "x"}, "2": "nope"},
        "later_setting": {"kept": True},
    }
    (tmp_path / PROJECT_JSON).write_text(json.dumps(data), encoding="utf-8")
    settings = ProjectSettings(tmp_path)
    assert settings.criteria() == "" and settings.include_words() == []
    assert settings.exclude_words() == []
    assert settings.saved_searches() == {1: SavedSearch(1, "ok", "ok")}
    assert len(settings.warnings) == 5
    settings.add_word("include", "peer")
    written = json.loads((tmp_path / PROJECT_JSON).read_text(encoding="utf-8"))
    # Settings a later version wrote survive a change made by this one.
    assert written["later_setting"] == {"kept": True}


# -- two processes at once ---------------------------------------------------------

WORDS_EACH = 50


def _writer(folder: Path, name: str, go: int) -> None:
    settings = ProjectSettings(folder)
    os.read(go, 1)  # start together
    for i in range(WORDS_EACH):
        settings.add_word("include" if i % 2 else "exclude", f"{name}{i}")
        if i == WORDS_EACH // 2:
            settings.save_search(1 if name == "a" else 2, f"{name} query")


def _spawn(folder: Path, name: str, go: int) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            _writer(folder, name, go)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def test_two_processes_adding_words_lose_nothing(tmp_path: Path) -> None:
    ProjectSettings(tmp_path).set_criteria("shared criteria")
    go_read, go_write = os.pipe()
    pids = [_spawn(tmp_path, name, go_read) for name in ("a", "b")]
    os.write(go_write, b"xx")
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    os.close(go_read)
    os.close(go_write)
    assert statuses == [0, 0]
    settings = ProjectSettings(tmp_path)
    words = settings.include_words() + settings.exclude_words()
    expected = {f"{name}{i}" for name in "ab" for i in range(WORDS_EACH)}
    assert set(words) == expected and len(words) == 2 * WORDS_EACH
    assert settings.criteria() == "shared criteria"
    assert {s.query for s in settings.saved_searches().values()} == {"a query", "b query"}
    assert settings.warnings == []
