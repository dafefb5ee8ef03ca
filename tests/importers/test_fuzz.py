"""Property test: mutated and truncated real export files never make an importer raise.

Every importer must turn bad input into issues (or one FileFormatError for a file it
cannot read at all); any other exception would reach the user as a traceback. The
test mutates the small real files shipped in tests/fixtures plus the sample page and
feeds each mutant to every format's sniffer and parser, forced, not only sniffed.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlit_tui.importers.base import FileFormatError, SourceFile
from peerlit_tui.importers.pipeline import read_file
from peerlit_tui.importers.registry import all_formats
from tests.conftest import FIXTURES, SAMPLE_DATA

_MAX_BYTES = 60_000


def _corpus() -> list[bytes]:
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() != ".md"]
    files.append(SAMPLE_DATA / "emerald_peer_support_results.txt")
    return [p.read_bytes()[:_MAX_BYTES] for p in sorted(files)]


CORPUS = _corpus()


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        op = draw(st.sampled_from(["truncate", "delete", "insert", "duplicate", "flip"]))
        at = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            del data[at:]
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "insert":
            junk = draw(
                st.one_of(
                    st.binary(max_size=40),
                    st.sampled_from(
                        [b"\x1b]52;c;AAAA\x07", b"\r\n\r\n", b"TY  - ", b"ER  - ", b"@article{",
                         b"}", b'"', b"PMID- ", b"<record>", b"\xff\xfe", b"Abstract\n",
                         b"Publication date: 31 February 20x4\n", b"\x00\x00"]
                    ),
                )
            )  # fmt: skip
            data[at:at] = junk
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 500))]
        else:
            data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_no_importer_raises_on_mutated_real_files(data: bytes) -> None:
    source = SourceFile.from_bytes(Path("mutant.txt"), data)
    for fmt in all_formats():
        score = fmt.sniff(source)
        assert 0.0 <= score <= 1.0
        try:
            for parsed in fmt.parse(source):
                assert parsed.line >= 0
        except FileFormatError:
            pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_read_file_reports_instead_of_raising(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.txt"
        path.write_bytes(data)
        result = read_file(path)
    assert result.error is not None or result.records
    for record in result.records:
        assert record.id
        assert "\x1b" not in record.title
        assert all("\x1b" not in a.name for a in record.authors)


@st.composite
def compressed_mutants(draw: st.DrawFn) -> bytes:
    """A real file gzip-, bzip2- or xz-compressed, then bit-flipped or cut."""
    import bz2
    import gzip
    import lzma

    compress = draw(st.sampled_from([gzip.compress, bz2.compress, lzma.compress]))
    data = bytearray(compress(draw(st.sampled_from(CORPUS))))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            data[at] ^= draw(st.integers(1, 255))
        else:
            del data[max(at, 3) :]
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compressed_mutants())
def test_damaged_compressed_files_get_one_clear_message(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.ris.gz"
        path.write_bytes(data)
        result = read_file(path)
    if result.error is not None:
        assert "None" not in result.error and "unexpected" not in result.error
        assert "Error -" not in result.error or result.error.startswith("this is a damaged")
    else:
        assert result.records  # a flip in a stored (uncompressed) region can still read
