"""Turning the bytes of an export into text, whatever encoding the database chose.

Order of evidence: a byte-order mark; UTF-16 without a BOM (every other byte NUL);
strict UTF-8; then charset-normalizer on a sample, restricted to encodings seen in
real exports; and Windows-1252 as the last resort, decoded with replacement so that
no file is ever refused for its encoding alone.
"""

from __future__ import annotations

import codecs
import gzip

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


def maybe_gunzip(data: bytes) -> bytes:
    """Decompress gzip data transparently; other data is returned unchanged.

    Args:
        data: File contents.

    Returns:
        The decompressed bytes for a gzip stream, else `data`.
    """
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


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
