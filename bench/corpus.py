"""Real-shaped test corpora for the benchmarks, built from the shared scale corpus.

The shared folder holds 22,846 real screening records (titles, abstracts, authors,
years, keywords). Scale runs need 100,000 or 1,000,000: the rows are repeated with a
copy marker in the title, so they are not exact duplicates and each copy gets its own
content-derived id, which keeps real length distributions. Built libraries are
cached under /tmp/peerlit-bench for reruns: `python bench/corpus.py 1000000` builds
the million-record library once (about 6 GB, the better part of an hour on two
shared cores, most of it SQLite's full-text index).
"""

from __future__ import annotations

import csv
import gzip
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peerlit_tui.authors import split_author_list  # noqa: E402
from peerlit_tui.identity import duplicate_key  # noqa: E402
from peerlit_tui.importers.pipeline import finalise_record, now_iso  # noqa: E402
from peerlit_tui.model import Provenance, Record  # noqa: E402
from peerlit_tui.sections import split_abstract  # noqa: E402
from peerlit_tui.storage.paths import RECORDS_DB  # noqa: E402
from peerlit_tui.storage.records import RecordStore  # noqa: E402

SCALE_CSV = ROOT.parent / "shared" / "data" / "synergy_scale" / "combined_22846_records.csv.gz"
CACHE = Path("/tmp/peerlit-bench")


def scale_rows() -> list[dict[str, str]]:
    """The 22,846 rows of the shared scale corpus (exits with a message when absent)."""
    if not SCALE_CSV.exists():
        sys.exit(f"scale corpus not found: {SCALE_CSV}")
    csv.field_size_limit(sys.maxsize)
    with gzip.open(SCALE_CSV, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def repeated_rows(n: int) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (copy number, row) until `n` rows, cycling through the corpus."""
    rows = scale_rows()
    for i in range(n):
        yield i // len(rows), rows[i % len(rows)]


def row_to_record(copy: int, row: dict[str, str]) -> Record:
    """Turn one corpus row into a record (the copy number makes repeated rows distinct)."""
    title = row["title"] + (f" (copy {copy})" if copy else "")
    year = row.get("year", "")
    return Record(
        type="article",
        title=title,
        authors=split_author_list(row.get("authors", "")),
        year=int(float(year)) if year.strip().replace(".", "", 1).isdigit() else None,
        keywords=[k for k in row.get("keywords", "").split(";") if k.strip()],
        abstract=split_abstract(row.get("abstract", "")),
        journal=row.get("source_dataset", ""),
        extra={"pubmed_id": row.get("pubmed_id", "")},
    )


def write_csv(path: Path, n: int) -> Path:
    """Write an ASReview-style CSV of `n` real-shaped records."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "keywords"])
        for copy, row in repeated_rows(n):
            title = row["title"] + (f" (copy {copy})" if copy else "")
            writer.writerow([title, row["abstract"], row["authors"], row["year"], row["keywords"]])
    return path


def build_library(n: int = 100_000, *, fresh: bool = False) -> Path:
    """Build (or reuse) a library folder holding `n` real-shaped records.

    Records are written straight into the record store in one transaction (as an
    import would, minus parsing), including the full-text index.

    Args:
        n: Number of records.
        fresh: Rebuild even when a cached library exists.

    Returns:
        The library folder.
    """
    folder = CACHE / f"library-{n}"
    if folder.exists() and not fresh and (folder / RECORDS_DB).exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    store = RecordStore(folder / RECORDS_DB)
    provenance = Provenance(file=str(SCALE_CSV), format="csv_tsv", database="bench",
                            imported_at=now_iso())  # fmt: skip
    store.begin()
    seen: set[str] = set()
    # The corpus holds some duplicate rows (same title, author and year), which get
    # the same id; keep cycling until n distinct records are stored.
    for copy, row in repeated_rows(n * 2):
        if len(seen) == n:
            break
        record = finalise_record(row_to_record(copy, row), provenance)
        if record.id in seen:
            continue
        seen.add(record.id)
        store.insert(record, provenance.imported_at, duplicate_key(record))
        store.add_source(record.id, provenance)
    store.commit()
    store.close()
    print(f"built {len(seen):,} records in {time.perf_counter() - started:.1f} s → {folder}")
    return folder


if __name__ == "__main__":
    build_library(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, fresh=True)
