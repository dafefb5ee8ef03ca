"""Turning the bytes of an export into text, whatever encoding the database chose.

Order of evidence: a byte-order mark; UTF-16 without a BOM (every other byte NUL);
strict UTF-8; then charset-normalizer on a sample, restricted to encodings seen in
real exports; and Windows-1252 as the last resort, decoded with replacement so that
no file is ever refused for its encoding alone.

Compressed files (gzip, bzip2, xz, told by their first bytes) are expanded first,
in steps and under a cap, so a damaged file gets one message and a decompression
bomb is stopped after a few megabytes (`maybe_gunzip`).
"""

from __future__ import annotations

import bz2
import codecs
import lzma
import zlib
from collections.abc import Callable
from typing import Any

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Encodings charset-normalizer may propose that we trust for bibliographic exports.
# cp1250 and ISO-8859-15 are left out on purpose: they decode the same bytes as
# cp1252 and charset-normalizer picks them for French or German text, garbling
# "Lefèvre" into "Lefčvre"; Western exports are far more common than Central European.
_PLAUSIBLE = ("cp1252", "gbk", "gb18030", "big5", "shift_jis")


class DecompressionError(ValueError):
    """A compressed file that cannot be expanded: damaged, truncated or a bomb.

    The message says which in words and is shown after the file's name.
    """


#: Decompressed output never exceeds this many times the compressed input read...
MAX_EXPANSION = 100
#: ...plus this allowance (16 MB, for stretches that compress extremely well)...
MIN_EXPANDED_LIMIT = 16 * 1024 * 1024
#: ...nor this many bytes in all (512 MB; exports are at most tens of megabytes).
MAX_EXPANDED_BYTES = 512 * 1024 * 1024
# Bytes produced per decompression step: the cap is checked between steps, so no
# more than this is ever held beyond it; and compressed bytes fed per step.
_STEP = 1024 * 1024
_IN_STEP = 64 * 1024

# Magic bytes → (name, decompressor factory). zlib's wbits 31 reads one gzip member.
_COMPRESSIONS: tuple[tuple[bytes, str, Callable[[], Any]], ...] = (
    (b"\x1f\x8b", "gzip", lambda: zlib.decompressobj(31)),
    (b"BZh", "bzip2", bz2.BZ2Decompressor),
    (b"\xfd7zXZ\x00", "xz", lzma.LZMADecompressor),
)


def maybe_gunzip(data: bytes) -> bytes:
    """Decompress gzip, bzip2 or xz data, streamed under a size cap; other data is returned.

    The output may be at most `MAX_EXPANSION` times the compressed input read so
    far (plus `MIN_EXPANDED_LIMIT`, for stretches that compress very well), and at
    most `MAX_EXPANDED_BYTES` in all. A bomb is thus stopped after a few megabytes
    of output, not after filling memory.

    Args:
        data: File contents.

    Returns:
        The decompressed bytes for a compressed stream, else `data`.

    Raises:
        DecompressionError: When the stream is damaged or truncated, or expands
            beyond the limits (a decompression bomb).
    """
    for magic, name, factory in _COMPRESSIONS:
        if data.startswith(magic):
            return _expand(data, name, magic, factory)
    return data


def _expand(data: bytes, name: str, magic: bytes, factory: Callable[[], Any]) -> bytes:
    out = bytearray()
    rest = data
    try:
        while True:  # one pass per member (gzip, bzip2 and xz files may hold several)
            rest = _member(factory(), rest, out, len(data) - len(rest), name)
            rest = rest.lstrip(b"\x00")  # padding after the last member
            if not rest.startswith(magic):
                return bytes(out)
    except (zlib.error, OSError, EOFError, lzma.LZMAError) as exc:
        message = f"this is a damaged {name} file ({exc}); nothing was read"
        raise DecompressionError(message) from None


def _member(decompressor: Any, data: bytes, out: bytearray, before: int, name: str) -> bytes:
    """Expand one member into `out`; return the bytes after it.

    Args:
        decompressor: A fresh decompressor.
        data: The member and whatever follows it.
        out: Where the output goes.
        before: Compressed bytes of the earlier members.
        name: The compression, for messages.
    """
    zlib_like = isinstance(decompressor, _ZlibDecompress)
    pos = 0
    tail = b""
    while True:
        fed = b""
        if zlib_like:
            if not tail:
                fed = data[pos : pos + _IN_STEP]
                pos += len(fed)
            chunk = decompressor.decompress(tail or fed, _STEP)
            tail = decompressor.unconsumed_tail
            consumed = pos - len(tail)
        else:
            if decompressor.needs_input:
                fed = data[pos : pos + _IN_STEP]
                pos += len(fed)
            chunk = decompressor.decompress(fed, _STEP)
            consumed = pos
        out += chunk
        allowed = min(MAX_EXPANDED_BYTES, MIN_EXPANDED_LIMIT + MAX_EXPANSION * (before + consumed))
        if len(out) > allowed:
            raise DecompressionError(
                f"this {name} file expands to more than {MAX_EXPANSION} times its size "
                f"(or over {MAX_EXPANDED_BYTES // (1024 * 1024)} MB): refused as a possible "
                "decompression bomb; decompress it yourself if it is genuine"
            )
        if decompressor.eof:
            return bytes(decompressor.unused_data) + data[pos:]
        if not chunk and not fed and not tail and pos >= len(data):
            raise DecompressionError(
                f"this {name} file is truncated or damaged: its compressed data stops "
                "before the end; nothing was read"
            )


_ZlibDecompress = type(zlib.decompressobj())


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _guess_legacy(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return "cp1252"
    # A sample keeps detection fast on 50 MB exports; the non-ASCII bytes are what
    # matter, so take them from wherever the first ones are.
    first = next((i for i, b in enumerate(data) if b >= 0x80), 0)
    sample = data[max(0, first - 2000) : first + 60000]
    best = from_bytes(sample, cp_isolation=list(_PLAUSIBLE)).best()
    if best is None:
        return "cp1252"
    name = str(best.encoding).lower().replace("-", "_")
    if name in ("ascii", "utf_8"):
        return "cp1252"
    return name


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode an export's bytes.

    Args:
        data: Raw file contents (already decompressed).

    Returns:
        (text, encoding name). Undecodable bytes in a legacy encoding become
        U+FFFD rather than an error.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name.replace("-sig", ""), errors="replace"), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A UTF-8 file with a few broken bytes (a truncated download, one bad record)
    # is still UTF-8: re-reading it as cp1252 would garble every accent in it.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    good = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    if good > 0 and broken <= max(3, good // 50):
        return lenient, "utf-8"
    legacy = _guess_legacy(data)
    try:
        return data.decode(legacy), legacy
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252"
