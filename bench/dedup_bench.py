"""Deduplication quality: the identity of this version next to the exact-key identity it replaced.

Labelled sets, all built from the shared corpus (`../shared/data`):

- `kitchenham+nagtegaal`: `synergy_scale/originals/Kitchenham_2010` and `Nagtegaal_2019`
  (3,723 records); `duplicate_record_id` names the record a row duplicates.
- `asreview-dups`: `asreview_tests/duplicate_records.csv` (14 rows), labelled as the
  ASReview test that ships it expects (same title, or same DOI, is the same paper).
- `cross-export`: the same papers exported by different tools (`_baseline.ris` and
  `baseline_zotero.ris`, `ovid_psycinfo.ris` and `ovid_zotero.ris`, `embase.ris` and
  `embase.csv`), read by the real importers; the paper is its DOI.
- `hard-cases` (derived from Kitchenham rows, labelled by construction): conference
  supplements (groups of 8 different papers given one DOI), typo / subtitle / case
  variants of a paper (some with the paper's DOI, some without), and different papers
  that look alike (erratum of a paper, part 1 / part 2, an annual report of two years).

The public ASySD benchmark of 1,845 records (584 papers) named in the integrity audit
is not among the shared files, so it is not measured here.

Methods, run on the same records in the same process:
- `old`: the exact-key identity (`git show 455573c:peerlit_tui/identity.py`, whose
  `record_id`/`duplicate_key` are unchanged): the DOI (else a title/author/year hash)
  is the id, records with the same id merge; same duplicate key links;
- `new`: `Library.store_results` of this version, into a temporary library.

Figures per set and for all sets: pairwise sensitivity and specificity (a pair is
predicted duplicate when its records share an id or are linked, transitively), false
merges (pairs of distinct papers that share an id, and papers hidden that way),
false links (linked pairs of distinct papers), and the ASySD-style specificity
1 - hidden papers / distinct papers.

Usage: .venv/bin/python bench/dedup_bench.py [--small] [--errors] [--scale N]
(`--errors` lists the new method's false merges, false links and missed pairs.)
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peerlit_tui.identity import duplicate_key, record_id  # noqa: E402
from peerlit_tui.importers.pipeline import FileResult, finalise_record, now_iso, read_file  # noqa: E402
from peerlit_tui.model import Author, Provenance, Record  # noqa: E402
from peerlit_tui.sections import split_abstract  # noqa: E402
from peerlit_tui.services.library import Library  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


@dataclass
class Labelled:
    """Records with the paper each one is (records of one paper share a label)."""

    name: str
    records: list[Record] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)

    def add(self, record: Record, paper: str) -> None:
        self.records.append(record)
        self.truth.append(paper)


def _provenance(name: str, line: int = 0) -> Provenance:
    return Provenance(file=name, format="csv_tsv", database="bench", imported_at=now_iso(),
                      line=line)  # fmt: skip


def _record(title: str, abstract: str, year: str, source: str, line: int, **kw: object) -> Record:
    year_text = (year or "").strip()
    record = Record(
        type="article",
        title=title,
        abstract=split_abstract(abstract),
        year=int(float(year_text)) if year_text.replace(".", "", 1).isdigit() else None,
        **kw,  # type: ignore[arg-type]
    )
    return finalise_record(record, _provenance(source, line))


def _csv_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        text = handle.read()
    rows = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [{k: v or "" for k, v in row.items() if k} for row in rows]


def kitchenham_nagtegaal(shared: Path, limit: int | None = None) -> Labelled:
    """The two SYNERGY sets with `duplicate_record_id` (optionally the first `limit` papers)."""
    out = Labelled("kitchenham+nagtegaal")
    for name in ("Kitchenham_2010", "Nagtegaal_2019"):
        rows = _csv_rows(shared / "synergy_scale" / "originals" / f"{name}.csv.gz")
        keep = rows if limit is None else _with_duplicates(rows, limit)
        for i, row in enumerate(keep):
            dup = (row.get("duplicate_record_id") or "").strip().split(".")[0]
            paper = f"{name}:{dup or row['record_id']}"
            out.add(_record(row["title"], row["abstract"], row.get("year", ""), name, i), paper)
    return out


def _with_duplicates(rows: list[dict[str, str]], limit: int) -> list[dict[str, str]]:
    """The first `limit` rows plus every labelled duplicate pair."""
    wanted = {r["record_id"] for r in rows[:limit]}
    for row in rows:
        dup = (row.get("duplicate_record_id") or "").strip().split(".")[0]
        if dup:
            wanted |= {row["record_id"], dup}
    return [r for r in rows if r["record_id"] in wanted]


def asreview_duplicates(shared: Path) -> Labelled:
    """`duplicate_records.csv` read by the real importer, labelled as ASReview's test expects.

    Rows 1-2 share a title and rows 3-4 a DOI ("10.3", which is no valid DOI, so no
    identity can use it); the other rows differ. Rows without a title or a valid
    DOI are skipped by the importer, as on a real import.
    """
    out = Labelled("asreview-dups")
    result = read_file(shared / "asreview_tests" / "duplicate_records.csv")
    papers = ["a", "a", "b", "b"] + [f"row{i}" for i in range(5, 15)]
    for record in result.records:
        out.add(record, papers[record.sources[0].line - 2])
    return out


def cross_exports(shared: Path) -> Labelled:
    """The same papers exported by different tools, read by the real importers."""
    out = Labelled("cross-export")
    folder = shared / "asreview_tests"
    for name in ("_baseline.ris", "baseline_zotero.ris", "ovid_psycinfo.ris", "ovid_zotero.ris",
                 "embase.ris", "embase.csv"):  # fmt: skip
        for record in read_file(folder / name).records:
            if record.doi:
                out.add(record, record.doi)
    return out


_SUBTITLES = (": a systematic review", ". A pilot study", " - results of a survey")


def _typo(title: str, rng: random.Random) -> str:
    words = title.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return title + "."
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swap two letters
    return " ".join(words)


def hard_cases(shared: Path, n: int = 240, seed: int = 7) -> Labelled:
    """Labelled-by-construction cases from distinct Kitchenham papers (see module doc)."""
    rng = random.Random(seed)
    rows = _csv_rows(shared / "synergy_scale" / "originals" / "Kitchenham_2010.csv.gz")
    rows = [r for r in rows if not (r.get("duplicate_record_id") or "").strip()]
    seen: set[str] = set()
    papers = []
    for row in rows:
        key = " ".join(row["title"].lower().split())
        if len(key) > 30 and key not in seen:
            seen.add(key)
            papers.append(row)
    rng.shuffle(papers)
    out = Labelled("hard-cases")
    authors = ["Smith", "Okafor", "Berg", "Nakamura", "Silva", "Kowalski", "Haddad", "Novak"]

    def make(row: dict[str, str], paper: str, title: str | None = None, **kw: object) -> None:
        author = authors[int(row["record_id"]) % len(authors)]
        out.add(_record(title or row["title"], row["abstract"], kw.pop("year", row["year"]),  # type: ignore[arg-type]
                        "hard", 0, authors=[Author(f"A. {author}", author, "A.")], **kw),
                paper)  # fmt: skip

    cursor = iter(papers)
    # Conference supplements: 8 different papers carry one DOI.
    for group in range(n // 16):
        for _ in range(8):
            row = next(cursor)
            make(row, f"k{row['record_id']}", doi=f"10.9999/suppl.{group}")
    # Variants of one paper: typo, subtitle, case and punctuation; with and without DOI.
    for i in range(n // 2):
        row = next(cursor)
        paper = f"k{row['record_id']}"
        doi = f"10.9999/paper.{i}" if i % 3 == 0 else ""
        make(row, paper, doi=doi)
        kind = i % 4
        if kind == 0:
            variant = _typo(row["title"], rng)
        elif kind == 1:
            variant = row["title"].rstrip(".") + rng.choice(_SUBTITLES)
        elif kind == 2:
            variant = row["title"].upper().replace(",", "").replace(":", " -")
        else:
            variant = _typo(row["title"].lower(), rng) + "."
        make(row, paper, variant, doi=doi if i % 2 == 0 else "")
    # Different papers that look alike.
    for i in range(n // 8):
        row = next(cursor)
        make(row, f"k{row['record_id']}")
        make(row, f"erratum{i}", "Erratum: " + row["title"])
        row = next(cursor)
        make(row, f"part1-{i}", row["title"] + ", part 1")
        make(row, f"part2-{i}", row["title"] + ", part 2")
        row = next(cursor)
        title = "Annual report of the " + row["title"]
        make(row, f"report{i}-2019", title, year="2019")
        make(row, f"report{i}-2020", title, year="2020")
    return out


def run_old(records: list[Record]) -> tuple[list[str], set[tuple[str, str]]]:
    """The exact-key identity: the id merges, the duplicate key links."""
    ids, first_key, links = [], {}, set()
    by_key: dict[str, list[str]] = defaultdict(list)
    for record in records:
        rid = record_id(record)
        ids.append(rid)
        if rid in first_key:
            continue
        key = first_key[rid] = duplicate_key(record)
        if key:
            for other in by_key[key]:
                links.add((min(rid, other), max(rid, other)))
            by_key[key].append(rid)
    return ids, links


def run_new(records: list[Record]) -> tuple[list[str], set[tuple[str, str]]]:
    """This version's identity: the real library service, into a temporary library."""
    records = copy.deepcopy(records)
    with tempfile.TemporaryDirectory() as folder:
        library = Library.open(Path(folder))
        try:
            result = FileResult(path=Path("bench"), format="bench", records=records)
            library.store_results([result], now_iso())
            links = {(a, b) for a, b, _r, status in library.store.all_links()
                     if status == "linked"}  # fmt: skip
        finally:
            library.close()
    return [r.id for r in records], links


@dataclass
class Score:
    """Figures of one method on one labelled set."""

    records: int
    papers: int
    tp: int
    fp: int
    fn: int
    tn: int
    false_merge_pairs: int
    hidden_papers: int
    false_links: int

    @property
    def sensitivity(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0

    @property
    def asysd_specificity(self) -> float:
        return 1 - self.hidden_papers / self.papers if self.papers else 1.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score(truth: list[str], ids: list[str], links: set[tuple[str, str]]) -> Score:
    """Pairwise and merge/link figures of one prediction against the labels."""
    parent = {rid: rid for rid in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    component = [find(rid) for rid in ids]
    joint = Counter(zip(truth, component, strict=True))
    tp = sum(_pairs(n) for n in joint.values())
    predicted = sum(_pairs(n) for n in Counter(component).values())
    actual = sum(_pairs(n) for n in Counter(truth).values())
    total = _pairs(len(ids))
    papers_of_id: dict[str, set[str]] = defaultdict(set)
    for paper, rid in zip(truth, ids, strict=True):
        papers_of_id[rid].add(paper)
    merged = Counter(zip(truth, ids, strict=True))
    per_id = Counter(ids)
    same_paper_same_id = sum(_pairs(n) for n in merged.values())
    false_merge_pairs = sum(_pairs(n) for n in per_id.values()) - same_paper_same_id
    hidden = sum(len(p) - 1 for p in papers_of_id.values())
    false_links = sum(1 for a, b in links if not (papers_of_id[a] & papers_of_id[b]))
    return Score(
        records=len(ids), papers=len(set(truth)), tp=tp, fp=predicted - tp, fn=actual - tp,
        tn=total - predicted - actual + tp, false_merge_pairs=false_merge_pairs,
        hidden_papers=hidden, false_links=false_links,
    )  # fmt: skip


def evaluate(sets: list[Labelled]) -> dict[str, dict[str, Score]]:
    """Scores of both methods on every set, and on all sets together (as `all`)."""
    out: dict[str, dict[str, Score]] = {}
    combined: dict[str, tuple[list[str], list[str], set[tuple[str, str]]]] = {}
    for labelled in sets:
        out[labelled.name] = {}
        for name, method in (("old", run_old), ("new", run_new)):
            ids, links = method(labelled.records)
            # Set names keep the sets apart when they are summed.
            ids = [f"{labelled.name}/{i}" for i in ids]
            links = {(f"{labelled.name}/{a}", f"{labelled.name}/{b}") for a, b in links}
            truth = [f"{labelled.name}/{t}" for t in labelled.truth]
            out[labelled.name][name] = score(truth, ids, links)
            t_all, i_all, l_all = combined.setdefault(name, ([], [], set()))
            t_all += truth
            i_all += ids
            l_all |= links
    out["all"] = {name: score(*combined[name]) for name in ("old", "new")}
    return out


def print_table(results: dict[str, dict[str, Score]]) -> None:
    """One line per set and method."""
    head = (f"{'set':<22}{'method':<7}{'records':>8}{'papers':>8}{'sens':>8}{'spec':>10}"
            f"{'false merges':>14}{'hidden':>8}{'false links':>13}{'ASySD spec':>12}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for set_name, methods in results.items():
        for name, s in methods.items():
            print(f"{set_name:<22}{name:<7}{s.records:>8}{s.papers:>8}{s.sensitivity:>8.3f}"
                  f"{s.specificity:>10.5f}{s.false_merge_pairs:>14}{s.hidden_papers:>8}"
                  f"{s.false_links:>13}{s.asysd_specificity:>12.4f}")  # fmt: skip


def print_errors(labelled: Labelled) -> None:
    """The new method's false merges, false links and missed pairs, to judge the labels by."""
    ids, links = run_new(labelled.records)
    papers: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, Record] = {}
    for record, rid, paper in zip(labelled.records, ids, labelled.truth, strict=True):
        papers[rid].add(paper)
        shown.setdefault(rid, record)

    def line(rid: str) -> str:
        r = shown[rid]
        return f"    {r.year or '----'} {r.first_author_family[:12]:<12} {r.title[:90]!r}"

    print(f"\n{labelled.name}: errors of the new method")
    for rid, held in papers.items():
        if len(held) > 1:
            print(f"  false merge: {rid} holds papers {sorted(held)}")
    for a, b in sorted(links):
        if not papers[a] & papers[b]:
            print(f"  false link:\n{line(a)}\n{line(b)}")
    linked = links | {(b, a) for a, b in links}
    by_paper: dict[str, list[str]] = defaultdict(list)
    for rid, paper in zip(ids, labelled.truth, strict=True):
        by_paper[paper].append(rid)
    for paper, rids in by_paper.items():
        for other in rids[1:]:
            if other != rids[0] and (rids[0], other) not in linked:
                print(f"  missed ({paper}):\n{line(rids[0])}\n{line(other)}")


def scale_timing(n: int) -> None:
    """Fuzzy-step cost on an n-record library, next to the exact-key lookup it adds to.

    Inside a transaction that is rolled back (the cached library stays as it is):
    keying every stored record once (what the first import into an existing library
    does), then 1,000 new records (typo variants of stored titles) looked up and
    filed as an import does, next to the exact duplicate-key lookups of the same records.
    """
    from bench.corpus import build_library, repeated_rows, row_to_record
    from peerlit_tui.services.dedup import ImportDedup, make_entry

    rng = random.Random(3)
    library = Library.open(build_library(n))
    store = library.store
    probes = []
    for _copy, row in repeated_rows(1000):
        record = finalise_record(row_to_record(0, row), _provenance("probe"))
        record.title = _typo(record.title, rng)
        probes.append(record)
    store.begin()
    try:
        dedup = ImportDedup(store)
        started = time.perf_counter()
        dedup._key_stored_rows()
        dedup.finish()  # the stored rows' keys are in the store: lookups go through SQL
        keyed = time.perf_counter() - started
        started = time.perf_counter()
        for record in probes:
            store.ids_by_dup_key(duplicate_key(record))
        exact = time.perf_counter() - started
        started = time.perf_counter()
        found = 0
        for i, record in enumerate(probes):
            entry = make_entry(f"probe{i}", record.title, record.year, record.first_author_family)
            found += any(
                not other.startswith("probe") for other, _r in dedup.matches(entry, n + 1 + i)
            )
        dedup.finish()
        fuzzy = time.perf_counter() - started
    finally:
        store.rollback()
        library.close()
    print(f"\n{n:,}-record library: blocking keys of every stored record filed once in "
          f"{keyed:.1f} s; 1,000 new records: exact-key lookups {exact * 1000:.0f} ms "
          f"(baseline), fuzzy lookups and filing {fuzzy * 1000:.0f} ms; {found} of the 1,000 "
          "typo variants found their stored paper")  # fmt: skip


def main(argv: list[str]) -> None:
    """Build the sets, run both methods, print the table (and the scale timing if asked)."""
    if not SHARED.is_dir():
        sys.exit(f"shared corpus not found: {SHARED}")
    small = "--small" in argv
    started = time.perf_counter()
    sets = [
        kitchenham_nagtegaal(SHARED, 300 if small else None),
        asreview_duplicates(SHARED),
        cross_exports(SHARED),
        hard_cases(SHARED, 80 if small else 240),
    ]
    print_table(evaluate(sets))
    if "--errors" in argv:
        for labelled in sets:
            print_errors(labelled)
    print(
        f"\n(sets built and both methods run in {time.perf_counter() - started:.1f} s; "
        "sens/spec pairwise; ASySD spec = 1 - hidden papers / papers)"
    )
    if "--scale" in argv:
        scale_timing(int(argv[argv.index("--scale") + 1]))


if __name__ == "__main__":
    main(sys.argv[1:])
