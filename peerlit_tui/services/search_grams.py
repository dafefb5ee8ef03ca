"""Character and character-pair bitmaps over the folded short fields, for substring terms.

A bare word is a substring test on each record's folded title, authors, journal,
keywords, DOI and id (`FoldedColumns.haystack`). Scanning 100,000 of those strings
costs ~25 ms in Python, and a short first word ("d", "de") keeps most of them, so
every early keystroke paid a full scan. Here each record gets one bit per letter or
digit it contains and one bit per adjacent pair of them (36 + 36² bitmaps, packed:
~21 MB at 100,000 records), built with numpy in a few hundred milliseconds:

- a one-letter or two-letter term is answered from one bitmap, with no scan;
- a longer term is only checked on the records holding every pair it contains
  (candidates are a superset of the matches, so the result is the scan's exactly).

Characters other than ASCII letters and digits are not indexed: a term made only
of them has no candidates bitmap and is scanned as before.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt

#: Codes: 0 for anything not indexed, 1-26 for a-z, 27-36 for 0-9.
_ALPHABET = 37
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_TABLE = np.zeros(128, dtype=np.uint16)
#: The same as a `bytes.translate` table over ASCII ('?' stands for any other character).
_BYTES = bytearray(256)
for _n, _ch in enumerate(_LETTERS, start=1):
    _TABLE[ord(_ch)] = _n
    _BYTES[ord(_ch)] = _n
_BYTE_TABLE = bytes(_BYTES)
#: Records per numpy pass (a multiple of 8, so chunks fill whole packed bytes); small
#: enough that the pass's temporary arrays stay a few megabytes.
_CHUNK = 2048

Mask = npt.NDArray[np.bool_]


def _code(ch: str) -> int:
    point = ord(ch)
    return int(_TABLE[point]) if point < 128 else 0


class GramIndex:
    """Which records contain each indexed character and each adjacent pair of them.

    Args:
        texts: One folded string per record (row order).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = n = len(texts)
        width = (n + 7) // 8
        self._singles = np.zeros((_ALPHABET, width), dtype=np.uint8)
        self._pairs = np.zeros((_ALPHABET * _ALPHABET, width), dtype=np.uint8)
        for start in range(0, n, _CHUNK):
            self._add_chunk(start, texts[start : start + _CHUNK])

    def _add_chunk(self, start: int, texts: Sequence[str]) -> None:
        count = len(texts)
        # One byte per code point: ASCII as is, anything else one "?" (not indexed),
        # then translated to codes in C. Records are joined without a separator;
        # their boundaries come from the lengths, so no pair spans two records.
        joined = "".join(texts).encode("ascii", "replace").translate(_BYTE_TABLE)
        # int32 throughout: _ALPHABET² × _CHUNK fits, and half the memory traffic of intp.
        codes = np.frombuffer(joined, dtype=np.uint8).astype(np.int32)
        lengths = np.fromiter(map(len, texts), dtype=np.int32, count=count)
        ends = np.cumsum(lengths, dtype=np.int32)
        # Row of each position: one step up at each boundary (empty records step twice).
        steps = np.zeros(len(codes) + 1, dtype=np.int32)
        np.add.at(steps, ends[:-1], 1)
        rows = np.cumsum(steps[:-1], dtype=np.int32)
        singles = np.zeros(_ALPHABET * count, dtype=np.bool_)
        singles[codes * count + rows] = True
        # A pair with an unindexed side lands in a bitmap no query reads (code 0 rows);
        # a pair across a boundary is made unindexed by zeroing the code before it.
        first = codes[:-1].copy()
        last = ends[:-1] - 1
        first[last[(last >= 0) & (last < len(first))]] = 0
        pairs = np.zeros(_ALPHABET * _ALPHABET * count, dtype=np.bool_)
        pairs[(first * _ALPHABET + codes[1:]) * count + rows[:-1]] = True
        column = start // 8
        for target, flat, grams in ((self._singles, singles, _ALPHABET),
                                    (self._pairs, pairs, _ALPHABET * _ALPHABET)):  # fmt: skip
            packed = np.packbits(flat.reshape(grams, count), axis=1, bitorder="little")
            target[:, column : column + packed.shape[1]] = packed

    @property
    def nbytes(self) -> int:
        """Memory held by the bitmaps."""
        return int(self._singles.nbytes + self._pairs.nbytes)

    def candidates(self, text: str) -> tuple[Mask, bool] | None:
        """Records that may contain `text` as a substring.

        Args:
            text: Folded text.

        Returns:
            (mask over rows, exact) where `exact` means the mask is precisely the
            records containing `text`; None when `text` has no indexed character
            (then every record is a candidate).
        """
        codes = [_code(ch) for ch in text]
        pairs = {a * _ALPHABET + b for a, b in pairwise(codes) if a and b}
        if pairs:
            packed = self._pairs[sorted(pairs)]
        else:
            singles = sorted({c for c in codes if c})
            if not singles:
                return None
            packed = self._singles[singles]
        joined = np.bitwise_and.reduce(packed, axis=0) if len(packed) > 1 else packed[0]
        mask = np.unpackbits(joined, count=self.size, bitorder="little").view(np.bool_)
        exact = len(text) <= 2 and all(codes) and (len(text) == 2 or not pairs)
        return mask, exact


def select(rows: Sequence[int], mask: Mask, size: int) -> list[int]:
    """The rows (ascending, any subset of 0..size-1) whose bit is set in `mask`."""
    if isinstance(rows, range) and rows == range(size):
        return np.flatnonzero(mask).tolist()
    flags = mask.tobytes()
    return [i for i in rows if flags[i]]


def mask_of(rows: Collection[int], size: int) -> Mask:
    """A mask with the bits of `rows` set."""
    mask = np.zeros(size, dtype=np.bool_)
    if rows:
        mask[np.fromiter(rows, dtype=np.intp, count=len(rows))] = True
    return mask
