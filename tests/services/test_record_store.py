"""Record store queries on the import path use indexes (an import must stay linear)."""

from __future__ import annotations

from pathlib import Path

from peerlit_tui.storage.records import IDS_BY_DUP_KEY, RecordStore


def _plan(store: RecordStore, sql: str, *params: object) -> str:
    rows = store._db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " ".join(str(r[-1]) for r in rows)


def test_duplicate_key_lookup_uses_the_partial_index(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.sqlite3")
    plan = _plan(store, IDS_BY_DUP_KEY, "key")
    store.close()
    assert "USING INDEX records_dup_key" in plan
    assert "SCAN" not in plan


def test_id_lookups_use_the_unique_index(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.sqlite3")
    plan = _plan(store, "SELECT rowid FROM records WHERE id = ?", "x")
    store.close()
    assert "SCAN" not in plan


def test_fuzzy_candidate_lookups_use_the_key_index(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.sqlite3")
    count_plan = _plan(
        store, "SELECT key, count(*) FROM dedup_keys WHERE key IN (?, ?) GROUP BY key", "a", "b"
    )
    rows_plan = _plan(
        store,
        "SELECT rowid FROM records WHERE rowid IN (SELECT rid FROM dedup_keys WHERE key IN (?))",
        "a",
    )
    store.close()
    assert "SEARCH dedup_keys USING COVERING INDEX dedup_keys_key" in count_plan
    assert "SEARCH dedup_keys USING INDEX dedup_keys_key" in rows_plan
    assert "SCAN" not in count_plan + rows_plan
