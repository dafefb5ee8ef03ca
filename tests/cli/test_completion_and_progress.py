"""Shell completion, the import progress bar, and what a change costs at exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from peerlit_tui.cli import context
from peerlit_tui.cli.progress import ProgressLine
from peerlit_tui.storage.paths import ANNOTATIONS_JSON
from tests.cli.helpers import Terminal, peerlit, run, sample_library, subprocess_env


def complete(line: str, tmp_path: Path) -> list[str]:
    """What `peerlit` offers for a TAB at the end of `line` (argcomplete's protocol)."""
    answer = tmp_path / "completions.txt"
    env = subprocess_env(
        _ARGCOMPLETE="1",
        _ARGCOMPLETE_IFS="\n",
        _ARGCOMPLETE_STDOUT_FILENAME=str(answer),
        COMP_LINE=line,
        COMP_POINT=str(len(line)),
    )
    subprocess.run(
        [sys.executable, "-m", "peerlit_tui"],
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    return [w.strip() for w in answer.read_text().split("\n") if w.strip()]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(shell: str) -> None:
    done = peerlit("completion", shell)
    assert done.returncode == 0
    assert "peerlit" in done.stdout and "_ARGCOMPLETE" in done.stdout


def test_completion_of_commands_options_ids_and_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "library"
    ids = sample_library(folder, capsys)
    lib = f"peerlit --library {folder}"
    assert complete("peerlit sh", tmp_path) == ["show"]
    assert "--json" in complete(f"{lib} show --j", tmp_path)
    prefix = ids[0][:3]
    assert complete(f"{lib} show {prefix}", tmp_path) == sorted(
        i for i in ids if i.startswith(prefix)
    )
    offered = complete(f"{lib} decide {ids[0]} ", tmp_path)
    assert {"include", "exclude", "maybe", "undecided"} <= set(offered)
    # No library there: nothing offered, and nothing created.
    assert complete(f"peerlit --library {tmp_path / 'none'} show 8", tmp_path) == []
    assert not (tmp_path / "none").exists()


def test_progress_draws_on_a_terminal_without_markup_or_controls() -> None:
    stream = Terminal()
    with ProgressLine(stream, enabled=True) as bar:
        bar.update(5, 10, "reading [bold]odd\x1b[31mname.ris")
        bar.update(10, 10, "reading [bold]odd\x1b[31mname.ris")
        bar.update(1, 3, "saving records")
    drawn = stream.getvalue()
    # The file name's "[bold]" is text, not markup; its escape sequence is dropped.
    assert "reading [bold]oddname.ris" in drawn
    assert "\x1b[31m" not in drawn
    assert "50%" in drawn and "5/10" in drawn
    assert "saving records" in drawn and "1/3" in drawn


def test_progress_draws_nothing_when_disabled() -> None:
    stream = Terminal()
    with ProgressLine(stream, enabled=False) as bar:
        bar.update(5, 10, "reading x.ris")
    assert stream.getvalue() == ""


def test_a_single_change_leaves_the_checkpoint_a_bulk_change_writes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "library"
    ids = sample_library(folder, capsys)
    # Treat the sample as a big library: a checkpoint there is not cheap.
    monkeypatch.setattr(context, "CHEAP_CHECKPOINT", 0)
    run(folder, "tag", ids[0], "first")
    checkpoint = folder / ANNOTATIONS_JSON
    before = checkpoint.read_bytes() if checkpoint.exists() else b""
    assert run(folder, "decide", ids[1], "include") == 0
    after = checkpoint.read_bytes() if checkpoint.exists() else b""
    assert after == before  # the journal holds the change; no rewrite of the checkpoint
    monkeypatch.setattr(context, "CHECKPOINT_FROM", 3)
    listed = tmp_path / "ids.txt"
    listed.write_text("\n".join(ids[2:6]) + "\n", encoding="utf-8")
    assert run(folder, "decide", "--ids-from", str(listed), "exclude") == 0
    assert checkpoint.read_bytes() != before
    capsys.readouterr()
    assert run(folder, "list", "decision:exclude", "--json") == 0
    assert capsys.readouterr().out.count('"id"') == 4


def test_a_small_library_or_a_long_pending_journal_is_checkpointed_at_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A journal lost later (restored from a backup, removed by a sync tool) must
    # cost at most a few changes: the checkpoint follows the CLI's writes.
    folder = tmp_path / "library"
    ids = sample_library(folder, capsys)
    checkpoint = folder / ANNOTATIONS_JSON
    assert run(folder, "decide", ids[1], "include") == 0
    first = checkpoint.read_bytes()
    assert b"include" in first  # small library: checkpointed after one change
    monkeypatch.setattr(context, "CHEAP_CHECKPOINT", 0)
    monkeypatch.setattr(context, "CHECKPOINT_PENDING", 2)
    assert run(folder, "tag", ids[2], "one") == 0
    assert checkpoint.read_bytes() == first  # one entry pending: left to the journal
    assert run(folder, "tag", ids[3], "two") == 0
    assert checkpoint.read_bytes() != first  # two pending: checkpointed
    (folder / "annotations.journal").unlink()
    capsys.readouterr()
    assert run(folder, "list", "tag:two", "--json") == 0
    assert ids[3] in capsys.readouterr().out


def test_progress_keeps_its_own_escape_sequences_under_the_output_cleaner() -> None:
    safe_io = pytest.importorskip("peerlit_tui.cli.safe_io")
    terminal = Terminal()
    with ProgressLine(safe_io.control_free(terminal, keep_cr=True), enabled=True) as bar:
        bar.update(5, 10, "reading x\x1b[31m.ris")
    drawn = terminal.getvalue()
    assert "\x1b[?25l" in drawn  # rich hides the cursor while drawing, and clears its line
    assert "reading x.ris" in drawn and "\x1b[31m" not in drawn
