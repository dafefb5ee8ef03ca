"""What sync reads of the local annotations journal, and how it marks what it applied.

Sync exports the transactions made on this machine. It reads them here, through
one function, so that it does not depend on how the store lays its journal files
out: `local_entries` takes an opaque cursor (JSON-ready, kept by the caller) and
returns the entries after it. Every journal the store holds is read; a journal
that is not the one the cursor names (set aside, replaced) is read from its start,
and the caller drops the transactions it exported before by their ids.

Transactions that sync applied from other machines are written by the store like
any other, with `SYNC_KEY` in their `"by"` origin; `is_synced` tells them apart so
they are never exported back.

Call `local_entries` while holding the store's lock after it caught up with other
processes' entries, e.g. inside a `transact` build function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from peerlit_tui.storage.annotation_store import AnnotationStore
    from peerlit_tui.storage.journal import Entry, Journal

#: The key of an entry's `"by"` origin that marks a transaction applied by sync.
SYNC_KEY: Final = "sync"


def _journals(store: AnnotationStore) -> dict[str, Journal]:
    """The store's journal files by a stable name (one today; several when split)."""
    many = getattr(store, "journals", None)
    if callable(many):
        found = many()
        if isinstance(found, dict):
            return {str(k): v for k, v in found.items()}
    return {"annotations": store._journal}


def is_synced(entry: Entry) -> bool:
    """True for a transaction that sync applied from another machine."""
    by = entry.get("by")
    return isinstance(by, dict) and bool(by.get(SYNC_KEY))


def local_entries(
    store: AnnotationStore, cursor: dict[str, Any]
) -> tuple[list[Entry], dict[str, Any]]:
    """The journal entries after `cursor`, and the cursor after them.

    Args:
        store: The open store (its lock held, caught up).
        cursor: What an earlier call returned ({} at first).

    Returns:
        (entries in time order, header lines left out; the new cursor).
    """
    out: list[Entry] = []
    new: dict[str, Any] = {}
    for name, journal in _journals(store).items():
        seen = cursor.get(name)
        journal_id = journal.journal_id or _header_id(journal)
        start = 0
        if isinstance(seen, dict) and seen.get("journal") == journal_id:
            offset = seen.get("offset")
            if isinstance(offset, int) and 0 <= offset <= journal.offset:
                start = offset
        end = journal.offset
        out.extend(item.entry for item in journal.scan(start, end))
        new[name] = {"journal": journal_id, "offset": end}
    if len(new) > 1:  # several journals: one time order (stable within each journal)
        out.sort(key=lambda entry: str(entry.get("ts", "")))
    return out, new


def _header_id(journal: Journal) -> str:
    head = journal.header()
    return str(head["journal"]) if head else ""


def origin_of(store: AnnotationStore) -> dict[str, Any]:
    """The store's origin (what its entries carry as `"by"`)."""
    return store.origin


def set_origin(store: AnnotationStore, origin: dict[str, Any]) -> None:
    """Change what the store's next entries carry as `"by"` (hold `index_lock`)."""
    store.origin = origin
