"""One bad file or record never sinks the rest; bombs are refused in bounded time and memory."""

from __future__ import annotations

import ast
import bz2
import gzip
import json
import lzma
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from peerlit_tui.cli import main
from peerlit_tui.importers import pipeline
from peerlit_tui.importers.encoding import DecompressionError, maybe_gunzip
from peerlit_tui.importers.pipeline import read_file
from tests.conftest import SAMPLE_DATA

EMERALD = SAMPLE_DATA / "emerald_peer_support_results.txt"
#: A hang detector only: the limits end each case in well under a second of work.
HANG = 60


def _ris(n: int) -> bytes:
    return "".join(
        f"TY  - JOUR\nTI  - Compressed record number {i}\nPY  - 2020\nER  - \n\n" for i in range(n)
    ).encode()


def _csl_with_surrogate(path: Path) -> Path:
    items = [{"id": f"i{n}", "type": "article", "title": f"Good item {n}"} for n in range(50)]
    text = json.dumps(items)[:-1] + ', {"id": "bad", "type": "article", '
    text += '"title": "lone \\ud800 surrogate", "abstract": "x \\udfff y"}]'
    path.write_text(text, encoding="utf-8")
    return path


def _flipped(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF
    return bytes(damaged)


def test_bad_files_are_reported_and_the_others_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = gzip.compress(_ris(40))
    (tmp_path / "corrupt.ris.gz").write_bytes(_flipped(packed))
    (tmp_path / "truncated.ris.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "header.ris.gz").write_bytes(b"\x1f\x8b\x08\xff" + packed[4:40])
    (tmp_path / "good.ris.bz2").write_bytes(bz2.compress(_ris(3)))
    (tmp_path / "good.ris.xz").write_bytes(lzma.compress(_ris(3)))
    csl = _csl_with_surrogate(tmp_path / "surrogate.json")
    files = [EMERALD, csl, *sorted(tmp_path.glob("*.ris.*"))]
    code = main(["--library", str(tmp_path / "lib"), "import", *map(str, files), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1  # partial: some files failed
    by_name = {Path(f["path"]).name: f for f in summary["files"]}
    assert by_name[EMERALD.name]["added"] == 10
    assert by_name["surrogate.json"]["records"] == 51
    assert by_name["good.ris.bz2"]["records"] == 3
    errors = {name: f["error"] for name, f in by_name.items() if f["error"]}
    assert set(errors) == {"corrupt.ris.gz", "truncated.ris.gz", "header.ris.gz"}
    assert "damaged gzip file" in errors["corrupt.ris.gz"]
    assert "truncated or damaged" in errors["truncated.ris.gz"]
    for message in errors.values():
        assert "unexpected error" not in message and "None" not in message
    capsys.readouterr()
    assert main(["--library", str(tmp_path / "lib"), "list", "surrogate"]) == 0
    listed = capsys.readouterr().out
    assert "lone \ufffd surrogate" in listed


def test_a_bad_file_in_the_cli_says_which(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "corrupt.ris.gz"
    bad.write_bytes(_flipped(gzip.compress(_ris(40))))
    code = main(["--library", str(tmp_path / "lib"), "import", str(EMERALD), str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{bad}: this is a damaged gzip file" in err


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_multi_member_and_padded_streams_expand(compress: object) -> None:
    assert callable(compress)
    data = _ris(200)
    assert maybe_gunzip(compress(data) + compress(data) + b"\0" * 10) == data + data
    with pytest.raises(DecompressionError, match="truncated or damaged"):
        maybe_gunzip(compress(data)[:-20])


def _gzip_bomb(path: Path, megabytes: int) -> None:
    """One gzip member of zeros, built in steps (never held in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    with path.open("wb") as f:
        for _ in range(megabytes):
            f.write(packer.compress(block))
        f.write(packer.flush())


_MEASURE = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path
    from peerlit_tui.importers.pipeline import read_file
    started = time.monotonic()
    result = read_file(Path(sys.argv[1]))
    took = time.monotonic() - started
    # Peak RSS of this process image: ru_maxrss would carry the parent's peak over exec.
    try:
        status = Path("/proc/self/status").read_text()
        rss = int(status.split("VmHWM:")[1].split()[0]) // 1024
    except (OSError, IndexError):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    warnings = [i.message for i in result.issues]
    print(repr((result.error, warnings, len(result.records), took, rss)))
    """
)


def _measure(path: Path) -> tuple[str | None, list[str], int, float, int]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=HANG
    )
    assert done.returncode == 0, done.stderr
    value: tuple[str | None, list[str], int, float, int] = ast.literal_eval(done.stdout)
    return value


def test_gzip_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.ris.gz"
    _gzip_bomb(bomb, 1024)  # 1 MB on disk, 1 GB of zeros inside
    assert bomb.stat().st_size < 1_100_000
    error, _warnings, records, took, rss_mb = _measure(bomb)
    assert error is not None and "decompression bomb" in error
    assert records == 0
    # Before the cap this took 2 GB (the whole gigabyte, then its decoded copy).
    assert rss_mb < 300, f"{rss_mb} MB"
    assert took < HANG


def test_bibtex_macro_bomb_is_capped(tmp_path: Path) -> None:
    lines = ['@string{a0 = "xxxxxxxxxx"}']
    lines += [f"@string{{a{i} = {'#'.join([f'a{i - 1}'] * 10)}}}" for i in range(1, 9)]
    lines += ["@article{k, title = a8, year = 2020}", "@article{k2, title = {Fine}, year = 2021}"]
    bomb = tmp_path / "bomb.bib"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert bomb.stat().st_size < 500
    error, warnings, records, took, rss_mb = _measure(bomb)
    assert error is None and records == 2  # the other entries are read
    assert any("@string{a6} expands to more than" in w for w in warnings), warnings
    assert rss_mb < 300, f"{rss_mb} MB"  # a8 would be 1,000,000,000 characters
    assert took < HANG


def test_an_overlong_line_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "long.ris"
    path.write_text("TY  - JOUR\nTI  - " + "x" * 5000 + "\nER  - \n", encoding="utf-8")
    result = read_file(path)
    assert result.error is not None
    assert result.error.startswith("line 2 is 5,006 characters long")
    assert pipeline.overlong_line("short\ntext", 1000) is None


def test_csljson_items_too_deep_or_too_long_are_skipped_alone(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "items.json"
    path.write_text(
        '[{"title": "first"}, {"title": "deep", "x": ' + deep + "}, "
        '{"title": "number", "n": ' + "1" * 5000 + '}, {"title": "last"}]',
        encoding="utf-8",
    )
    result = read_file(path)
    assert [r.title for r in result.records] == ["first", "last"]
    messages = [i.message for i in result.skipped]
    assert messages[0] == "item 2 is nested too deeply to read; skipped"
    assert messages[1].startswith("item 3 holds a value that cannot be read")


def test_an_overlong_table_header_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "MAX_HEADER_CHARS", 1000)
    path = tmp_path / "wide.csv"
    columns = ",".join(f"column{n}" for n in range(600))
    path.write_text(f"\ntitle,abstract,{columns}\nA title,An abstract\n", encoding="utf-8")
    result = read_file(path)
    assert result.error is not None
    assert result.error.startswith(f"line 2, the header, is {15 + len(columns):,} characters")
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("title,abstract\n" + "A title,An abstract\n" * 100, encoding="utf-8")
    assert len(read_file(narrow).records) == 100  # longer than the limit, narrow header
