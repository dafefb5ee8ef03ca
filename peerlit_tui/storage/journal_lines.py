"""Parsing journal lines: complete lines only, each with its byte range.

A journal line is one JSON object ending in a newline; bytes after the last
newline are a torn tail a killed writer left, never an entry (see `journal`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Entry = dict[str, Any]
Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Located:
    """A journal entry and the byte range of its line (newline included)."""

    entry: Entry
    start: int
    end: int


def parse_lines(
    data: bytes, base: int, warn: Warn, needle: bytes | None = None
) -> tuple[list[Located], int]:
    """Parse the complete lines of `data`, which starts at byte `base` of the journal.

    Args:
        data: Raw journal bytes.
        base: Offset of `data[0]` in the journal.
        warn: Receives a message for each unreadable complete line (which is skipped).
        needle: When given, only lines containing these bytes are parsed and returned.

    Returns:
        The parsed entries, and the offset just after the last complete line.
    """
    out: list[Located] = []
    pos = 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        line = data[pos:nl]
        if needle is not None and needle not in line:
            pass
        elif line.strip():
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict) and isinstance(entry.get("seq"), int):
                out.append(Located(entry, base + pos, base + nl + 1))
            else:
                warn(f"journal line at byte {base + pos} is unreadable and was skipped")
        pos = nl + 1
    return out, base + pos
