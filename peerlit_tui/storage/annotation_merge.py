"""Tags two reviewers change on one record at the same time: both changes are kept.

Reviewers save to journals of their own without waiting for each other, so alice
may add "qualitative" to a record while bob adds "RCT" to it, each computed from a
state without the other's tag. Tags are a set, so a change to them is applied as
what it did (tags added, removed or respelt) whenever the record's tags are no
longer the ones it was made on (`merged_tags`); made on the current tags, it is
applied as it stands, which is every change of a single reviewer's history.

The outcome is defined as replaying every journal's tag changes in stamp order
(`annotation_clock`). A process reading a change older than the record's newest
one (its journal lagged behind another's) applies it at once as a merge, and the
store then derives that record's tags again from its changes in every journal in
stamp order (`rederive_tags`), so every process ends with the same tags in the
same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from peerlit_tui.storage.annotation_clock import ZERO, Stamp, entry_stamp
from peerlit_tui.storage.annotation_values import normalise_value

Tags = tuple[str, ...]


def merged_tags(current: Tags, old: Tags, new: Tags, key: Callable[[str], str]) -> Tags:
    """`current` changed the way one change turned `old` into `new`.

    Tags the change removed are removed, tags it added are appended (in its
    order), tags it respelt take its spelling; every other tag of `current` stays
    where it is. A change made on `current` itself gives `new` exactly.
    """
    if current == old:
        return new
    before = {key(t): t for t in old}
    after = {key(t): t for t in new}
    out: list[str] = []
    seen: set[str] = set()
    for tag in current:
        k = key(tag)
        if k in seen or (k in before and k not in after):
            continue
        if k in before and before[k] != after[k]:
            tag = after[k]  # respelt by the change
        seen.add(k)
        out.append(tag)
    for k, tag in after.items():
        if k not in seen and k not in before:
            seen.add(k)
            out.append(tag)
    return tuple(out)


def tag_changes(entry: dict[str, Any], record_id: str) -> Iterator[tuple[Tags, Tags]]:
    """(old, new) of each valid tags change of one record in an entry."""
    for change in entry.get("changes") or []:
        if not isinstance(change, dict):
            continue
        if change.get("id") != record_id or change.get("field") != "tags":
            continue
        try:
            old = normalise_value("tags", change.get("old"))
            new = normalise_value("tags", change.get("new"))
        except ValueError:
            continue
        yield old, new


def rederive_tags(
    record_id: str,
    journals: Iterable[tuple[str, Iterable[dict[str, Any]]]],
    key: Callable[[str], str],
) -> tuple[Tags, Stamp]:
    """A record's tags replayed from its changes in every journal, in stamp order.

    Args:
        record_id: The record.
        journals: (journal name, its entries touching the record, in file order).
        key: The tag folding function.

    Returns:
        (the tags, the stamp of the newest tag change).
    """
    runs = [[(entry_stamp(entry, name), entry) for entry in entries] for name, entries in journals]
    tags: Tags = ()
    last = ZERO
    for stamp, entry in heapq.merge(*runs, key=lambda item: item[0]):
        for old, new in tag_changes(entry, record_id):
            tags = merged_tags(tags, old, new, key)
            last = stamp
    return tags, last
