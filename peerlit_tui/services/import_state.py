"""What one import keeps between records: known ids, ids added, the fuzzy step, DOI siblings.

`Library.store_results` makes one `ImportState` per import, so the lookups each
record needs (is this id known, which records share this DOI) read the store once
per import or per DOI, not once per record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peerlit_tui.model import Record
    from peerlit_tui.storage.records import RecordStore

#: Records with one DOI that a new record with that DOI is compared with, at most.
MAX_SIBLINGS = 100_000


class ImportState:
    """What one import keeps between records: known ids, ids added, the fuzzy step."""

    def __init__(self, store: RecordStore) -> None:
        from peerlit_tui.services.dedup import ImportDedup

        self.known = store.all_ids()
        #: Ids this import added (a split from one of them is no split of an old merge).
        self.added: set[str] = set()
        self.dedup = ImportDedup(store)
        #: Per DOI met in this import: (id, title, title_derived, year, first author) of
        #: every record with it, read once, then kept up to date as records are added,
        #: so a DOI shared by thousands (a placeholder DOI) is not read again per record.
        self._with_doi: dict[str, list[tuple[str, str, int, int | None, str]]] = {}
        self._processed: dict[str, list[str]] = {}

    def with_doi(self, store: RecordStore, doi: str) -> list[tuple[str, str, int, int | None, str]]:
        """The records carrying `doi` (the one holding the bare DOI first)."""
        rows = self._with_doi.get(doi)
        if rows is None:
            ids = [doi] if doi in self.known else []
            ids += store.ids_with_prefix(doi + "#", limit=MAX_SIBLINGS)
            rows = self._with_doi[doi] = [tuple(r) for r in store.identity_rows(ids)]
        return rows

    def processed_titles(self, doi: str) -> list[str]:
        """`default_process` of the titles of `with_doi(doi)`, in the same order."""
        from rapidfuzz.utils import default_process

        rows = self._with_doi[doi]
        titles = self._processed.get(doi)
        if titles is None or len(titles) != len(rows):
            titles = self._processed[doi] = [default_process(r[1]) for r in rows]
        return titles

    def note_doi_record(self, record: Record) -> None:
        """Keep `with_doi` current after `record` (with a DOI) was added."""
        from rapidfuzz.utils import default_process

        rows = self._with_doi.get(record.doi)
        if rows is None:
            return
        entry = (record.id, record.title, int(record.title_derived), record.year,
                 record.first_author_family)  # fmt: skip
        titles = self._processed.get(record.doi)
        if record.id == record.doi:
            rows.insert(0, entry)
            if titles is not None:
                titles.insert(0, default_process(record.title))
        else:
            rows.append(entry)
            if titles is not None:
                titles.append(default_process(record.title))
