"""Ctrl-C ends any command at once: exit 130, one line, no traceback, library intact."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: A hang detector only: an interrupted command ends within a fraction of a second.
HANG = 30


def _big_ris(path: Path, records: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for n in range(records):
            f.write(
                f"TY  - JOUR\nTI  - Interrupted import record {n}\nAU  - Author, A{n % 97}\n"
                f"PY  - {1990 + n % 30}\nAB  - Abstract {n} about peer support and recovery.\n"
                "ER  - \n\n"
            )
    return path


def _start(library: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "peerlit_tui", "--library", str(library), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("delay", [0.5, 2.0])
def test_ctrl_c_ends_a_slow_import(tmp_path: Path, delay: float) -> None:
    big = _big_ris(tmp_path / "big.ris", 60_000)
    library = tmp_path / "lib"
    process = _start(library, "import", str(big))
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _out, err = process.communicate(timeout=HANG)
    assert time.monotonic() - sent < HANG
    if process.returncode == 0:
        pytest.skip("the import finished before the interrupt arrived")
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert err.decode().strip().endswith("peerlit: interrupted")
    # The library is as before (empty) or fully imported, and readable.
    done = subprocess.run(
        [sys.executable, "-m", "peerlit_tui", "--library", str(library), "stats", "--json"],
        capture_output=True,
        timeout=HANG,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] in (0, 60_000) if library.exists() else True


def test_main_in_process_restores_the_interrupt_handler(tmp_path: Path) -> None:
    from peerlit_tui.cli import main

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(SystemExit):
        main(["--no-such-option"])
    assert signal.getsignal(signal.SIGINT) is before
    assert main(["--library", str(tmp_path / "lib"), "list"]) == 0
    assert signal.getsignal(signal.SIGINT) is before
