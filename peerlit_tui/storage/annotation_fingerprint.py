"""Fingerprints of the journal prefix a checkpoint includes.

A checkpoint records, per journal file, how far it read (`offset`, `seq`) and a
fingerprint of the bytes before `offset`, so an open or `doctor` can tell whether
the journal on disk is still the one the checkpoint was made from: not truncated,
not replaced by an older copy, not swapped for another library's journal.

The fingerprint is built from SHA-256 digests of fixed 64 KiB blocks. The digests of
the full blocks are stored in the checkpoint, so the next checkpoint only hashes
the bytes appended since (plus the last partial block) instead of the whole
journal, and a check can hash just the blocks it needs: an open hashes at most
the last two blocks, `doctor` hashes them all and can say where they differ.

    {"id": "<journal id>", "offset": 81234, "seq": 42, "ts": "<time>", "block_size": 65536,
     "blocks": ["<hex>", ...], "sha256": "<hex>"}

`ts` is the running time of the entries before `offset` (`annotation_clock`), so
a replay from the mark stamps the next entries as a replay from the start would.

`sha256` is the SHA-256 of the full-block digests followed by the digest of the
final partial block; it summarises the whole prefix in one value.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

BLOCK_SIZE = 64 << 10
#: An open verifies the blocks that hold at least this many bytes before the offset
#: (with the partial block, at most two blocks: 128 KiB hashed per open).
_QUICK_SPAN = 16 << 10


class ReadsBytes(Protocol):
    """What a fingerprint needs of a journal: reading a byte range."""

    def read_bytes(self, start: int, end: int) -> bytes:
        """Bytes `[start, end)` of the file."""
        ...


@dataclass(slots=True)
class JournalMark:
    """How far a checkpoint read one journal file, and what those bytes were.

    Attributes:
        journal_id: Id from the journal's header ("" when unknown).
        offset: Bytes of the journal the checkpoint includes.
        seq: Sequence number of the last entry included.
        sha256: Fingerprint of bytes `[0, offset)`; "" in checkpoints older than this.
        blocks: SHA-256 of each full block before `offset`, hex.
        block_size: Size of those blocks.
        last_ts: The running entry time at `offset` ("" in older checkpoints).
    """

    journal_id: str
    offset: int
    seq: int
    sha256: str = ""
    blocks: list[str] = field(default_factory=list)
    block_size: int = BLOCK_SIZE
    last_ts: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the mapping stored in the checkpoint's `meta` table."""
        return {
            "id": self.journal_id,
            "offset": self.offset,
            "seq": self.seq,
            "ts": self.last_ts,
            "sha256": self.sha256,
            "block_size": self.block_size,
            "blocks": list(self.blocks),
        }

    @classmethod
    def from_json(cls, data: Any) -> JournalMark:
        """Read a mark from the checkpoint.

        Raises:
            ValueError: When a field has the wrong type.
        """
        if not isinstance(data, dict):
            raise ValueError("a journal position must be an object")
        offset, seq = data.get("offset", 0), data.get("seq", 0)
        if type(offset) is not int or type(seq) is not int or offset < 0 or seq < 0:
            raise ValueError("the journal position in table 'meta' is invalid")
        blocks = data.get("blocks", [])
        size = data.get("block_size", BLOCK_SIZE)
        if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
            raise ValueError("the journal fingerprint in table 'meta' is invalid")
        if type(size) is not int or size <= 0:
            raise ValueError("the journal fingerprint block size is invalid")
        return cls(
            journal_id=str(data.get("id", "")),
            offset=offset,
            seq=seq,
            sha256=str(data.get("sha256", "") or ""),
            blocks=list(blocks),
            block_size=size,
            last_ts=str(data.get("ts", "") or ""),
        )


def _digest(journal: ReadsBytes, start: int, end: int) -> bytes:
    return hashlib.sha256(journal.read_bytes(start, end)).digest()


def combine(blocks: list[str], partial: bytes) -> str:
    """The prefix fingerprint from the full-block digests and the partial block's digest."""
    outer = hashlib.sha256()
    for block in blocks:
        outer.update(bytes.fromhex(block))
    outer.update(partial)
    return outer.hexdigest()


class Fingerprinter:
    """Builds marks for one journal, hashing only bytes not hashed before.

    Args:
        journal: The journal to read.
        known: Full-block digests already trusted (from the checkpoint the store
            opened on, verified there), so they are not hashed again.
    """

    def __init__(self, journal: ReadsBytes, known: list[str] | None = None) -> None:
        self._journal = journal
        self._blocks: list[str] = list(known or [])
        self._lock = threading.Lock()

    def reset(self, known: list[str] | None = None) -> None:
        """Forget the known digests (the journal file was replaced)."""
        with self._lock:
            self._blocks = list(known or [])

    def mark(self, journal_id: str, offset: int, seq: int, last_ts: str = "") -> JournalMark:
        """The mark of bytes `[0, offset)`; bytes before `offset` never change."""
        with self._lock:
            full = offset // BLOCK_SIZE
            del self._blocks[full:]
            for index in range(len(self._blocks), full):
                start = index * BLOCK_SIZE
                self._blocks.append(_digest(self._journal, start, start + BLOCK_SIZE).hex())
            blocks = list(self._blocks)
        partial = _digest(self._journal, full * BLOCK_SIZE, offset)
        return JournalMark(
            journal_id, offset, seq, combine(blocks, partial), blocks, last_ts=last_ts
        )


def verify(journal: ReadsBytes, mark: JournalMark, *, full: bool) -> str | None:
    """Compare a journal's bytes with a checkpoint's fingerprint of them.

    The caller has checked that the journal is at least `mark.offset` bytes long.

    Args:
        journal: The journal.
        mark: The checkpoint's mark; without a fingerprint (older checkpoints)
            nothing can be compared and None is returned.
        full: Hash every block (`doctor`); otherwise only the last bytes (open).

    Returns:
        None when the bytes match, else where they differ, in words.
    """
    if not mark.sha256:
        return None
    size = mark.block_size
    full_blocks = mark.offset // size
    if len(mark.blocks) != full_blocks:
        return "the checkpoint's fingerprint of the journal is incomplete"
    partial = _digest(journal, full_blocks * size, mark.offset)
    if combine(mark.blocks, partial) != mark.sha256:
        return (
            f"bytes {full_blocks * size}-{mark.offset} of the journal differ from the ones "
            "the checkpoint was made from"
        )
    first = 0 if full else max(0, (mark.offset - _QUICK_SPAN) // size)
    for index in range(first, full_blocks):
        if _digest(journal, index * size, (index + 1) * size).hex() != mark.blocks[index]:
            return (
                f"bytes {index * size}-{(index + 1) * size} of the journal differ from the "
                "ones the checkpoint was made from"
            )
    return None
