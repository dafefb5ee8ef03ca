"""PRISMA 2020 counts of a library: identification per database, duplicates, screening.

How the numbers are made:

- Identified: every record read from every file: one per occurrence of a record in
  a (file, database) it was imported from. A record found in Scopus and in PubMed
  counts in both boxes; a record that occurs twice inside one export counts twice.
  Records without any provenance count once, under "unspecified".
- Duplicates removed: identified − distinct records (the re-finds: a record read N
  times, inside one file or across files, counts N − 1) plus the linked duplicates
  (each group of records linked as likely duplicates keeps one record, so it counts
  group size − 1). The record a linked group keeps is the first one screened, else
  the first one imported; the others are left out of the screening counts.
- Screened: records kept after duplicates whose decision is not "undecided";
  included, excluded (in all and per reason, "no reason given" for an exclusion
  without one), maybe and undecided split them.

So identified − duplicates removed = records after duplicates = screened +
undecided, and screened = included + excluded + maybe.

`prisma_csv` writes the numbers into the CSV template of the PRISMA2020 R package
and Shiny app (Haddaway et al., https://github.com/prisma-flowdiagram/PRISMA2020,
`inst/extdata/PRISMA.csv`), which its `PRISMA_data()` reads and the app uploads.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

#: Name used for provenance without a database name.
UNSPECIFIED = "unspecified"
#: Name used for exclusions without a reason.
NO_REASON = "no reason given"


@dataclass(slots=True)
class PrismaStats:
    """The PRISMA counts of one library.

    Attributes:
        records: Distinct records in the library.
        by_database: Records identified per database, most first.
        by_file: Records identified per imported file, most first (also sums to
            `identified`, but for records without provenance).
        identified: Records identified in all (the sum of `by_database`).
        refound: Records read again once read (same id: same DOI or same record
            hash), inside one file or across files: identified − distinct records.
        linked: Duplicates removed because they are linked to another record.
        included: Included records.
        excluded: Excluded records.
        excluded_by_reason: Exclusions per reason, most first.
        maybe: Records marked maybe.
        undecided: Records kept after duplicates and not screened yet.
    """

    records: int = 0
    by_database: dict[str, int] = field(default_factory=dict)
    by_file: dict[str, int] = field(default_factory=dict)
    identified: int = 0
    refound: int = 0
    linked: int = 0
    included: int = 0
    excluded: int = 0
    excluded_by_reason: dict[str, int] = field(default_factory=dict)
    maybe: int = 0
    undecided: int = 0

    @property
    def duplicates(self) -> int:
        """Duplicate records removed: re-finds plus linked duplicates."""
        return self.refound + self.linked

    @property
    def after_duplicates(self) -> int:
        """Records left once duplicates are removed."""
        return self.identified - self.duplicates

    @property
    def screened(self) -> int:
        """Records with a decision other than undecided."""
        return self.included + self.excluded + self.maybe

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of `peerlit stats --json`."""
        return {
            "records": self.records,
            "identification": {
                "total": self.identified,
                "by_database": dict(self.by_database),
                "by_file": dict(self.by_file),
            },
            "duplicates": {
                "removed": self.duplicates,
                "refound": self.refound,
                "linked": self.linked,
            },
            "after_duplicates": self.after_duplicates,
            "screening": {
                "screened": self.screened,
                "included": self.included,
                "excluded": self.excluded,
                "excluded_by_reason": dict(self.excluded_by_reason),
                "maybe": self.maybe,
                "undecided": self.undecided,
            },
        }


def _groups(links: list[tuple[str, str, str, str]]) -> list[set[str]]:
    """Connected groups of records linked as duplicates (status "linked")."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _reason, status in links:
        if status == "linked":
            parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for x in list(parent):
        groups.setdefault(root(x), set()).add(x)
    return [g for g in groups.values() if len(g) > 1]


def _ordered(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))


def compute_stats(library: Library, annotations: AnnotationService) -> PrismaStats:
    """Count a library for a PRISMA flow diagram.

    Counted in SQLite (`storage.record_counts`): the provenance per (file,
    database) and the records linked or decided are all that is read, never the
    records themselves, so the cost grows with the provenance index and the
    decisions, not with the records' fields (a second at 1,000,000 records, where
    loading every record's columns took several).

    Args:
        library: The records, with provenance and duplicate links.
        annotations: The screening decisions.

    Returns:
        The counts.
    """
    store = library.store
    stats = PrismaStats(records=store.count())
    databases: Counter[str] = Counter()
    files: Counter[str] = Counter()
    # Pairs come in the order of their first provenance, so equal counts keep the
    # order in which the files were imported (as when every provenance was read).
    pairs, sourced = store.source_counts_by_pair()
    for pair in pairs:
        databases[pair.database or UNSPECIFIED] += pair.occurrences
        files[pair.file] += pair.occurrences
    unsourced = stats.records - sourced
    databases[UNSPECIFIED] += unsourced
    if not databases[UNSPECIFIED]:
        del databases[UNSPECIFIED]
    stats.identified = sum(files.values()) + unsourced
    stats.refound = stats.identified - stats.records
    stats.by_database, stats.by_file = _ordered(databases), _ordered(files)
    decisions = {a.record_id: a for a in annotations.all()}
    decided = {rid: a for rid, a in decisions.items() if a.decision != "undecided"}
    groups = _groups(store.all_links())
    # Rows (library order) of the records that matter: linked or decided, and stored.
    order = store.rows_of({*decided, *(m for g in groups for m in g)})
    removed: set[str] = set()
    for group in groups:
        members = sorted((m for m in group if m in order), key=order.__getitem__)
        if len(members) > 1:
            kept = next((m for m in members if m in decided), members[0])
            removed.update(m for m in members if m != kept)
    stats.linked = len(removed)
    reasons: Counter[str] = Counter()
    kept_decided = sorted(
        (rid for rid in decided if rid in order and rid not in removed), key=order.__getitem__
    )
    for rid in kept_decided:
        found = decided[rid]
        if found.decision == "include":
            stats.included += 1
        elif found.decision == "exclude":
            stats.excluded += 1
            reasons[found.reason or NO_REASON] += 1
        elif found.decision == "maybe":
            stats.maybe += 1
    stats.undecided = stats.records - stats.linked - stats.screened
    stats.excluded_by_reason = _ordered(reasons)
    return stats


# -- the PRISMA2020 CSV template ---------------------------------------------------

_HEADER = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
_DBR = "(databases and registers)"
# The template's rows (data, node, box, description, boxtext, tooltips, url), in its
# order; `n` is filled from the counts or left at the template's 0.
_TEMPLATE: tuple[tuple[str, ...], ...] = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies",
     "Grey title box; Previous studies", "prevstud.html"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review",
     "Studies included in previous version of review", "previous_studies.html"),
    ("previous_reports", "NA", "box1",
     "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", "NA",
     "previous_reports.html"),
    ("NA", "node6", "newstud",
     "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers",
     "newstud.html"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
     "Records identified from: Databases and Registers", "database_results.html"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases",
     "Specific Databases", "NA", "database_results.html"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA",
     "NA"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers",
     "Specific Registers", "NA", "database_results.html"),
    ("NA", "node16", "othstud",
     "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods", "othstud.html"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
     "Records identified from: Websites, Organisations and Citation Searching",
     "website_results.html"),
    ("organisation_results", "", "box11", "Records identified from: Organisations",
     "Organisations", "NA", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching",
     "Citation searching", "NA", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records",
     "Duplicate records", "duplicates.html"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools", "NA", "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons",
     "Records removed for other reasons", "NA", "NA"),
    ("records_screened", "node9", "box4", f"Records screened {_DBR}", "Records screened",
     f"Records screened {_DBR}", "records_screened.html"),
    ("records_excluded", "node10", "box5", f"Records excluded {_DBR}", "Records excluded",
     f"Records excluded {_DBR}", "records_excluded.html"),
    ("dbr_sought_reports", "node11", "box6", f"Reports sought for retrieval {_DBR}",
     "Reports sought for retrieval", f"Reports sought for retrieval {_DBR}",
     "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7", f"Reports not retrieved {_DBR}",
     "Reports not retrieved", f"Reports not retrieved {_DBR}", "dbr_notretrieved_reports.html"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval", "Reports sought for retrieval (other)",
     "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)",
     "Reports not retrieved", "Reports not retrieved (other)", "other_notretrieved_reports.html"),
    ("dbr_assessed", "node13", "box8", f"Reports assessed for eligibility {_DBR}",
     "Reports assessed for eligibility", f"Reports assessed for eligibility {_DBR}",
     "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9",
     f"Reports excluded {_DBR}: [separate reasons and numbers using ; e.g. Reason1, xxx; "
     "Reason2, xxx; Reason3, xxx]", "Reports excluded", f"Reports excluded {_DBR}",
     "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility", "Reports assessed for eligibility (other)",
     "other_assessed.html"),
    ("other_excluded", "node21", "box15",
     "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; "
     "Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (other)",
     "other_excluded.html"),
    ("new_studies", "node15", "box10", "New studies included in review",
     "New studies included in review", "New studies included in review", "new_studies.html"),
    ("new_reports", "NA", "box10", "Reports of new included studies",
     "Reports of new included studies", "NA", "NA"),
    ("total_studies", "node22", "box16", "Total studies included in review",
     "Total studies included in review", "Total studies included in review",
     "total_studies.html"),
    ("total_reports", "NA", "box16", "Reports of total included studies",
     "Reports of total included studies", "NA", "NA"),
    ("identification", "node1", "identification", "Blue identification box", "Identification",
     "Blue identification box", "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "Screening",
     "Blue screening box", "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box",
     "included.html"),
)  # fmt: skip


def _name(text: str) -> str:
    # The template lists "Name, n; Name, n": a comma or semicolon in a name would
    # split it, so they become spaced dashes.
    return " ".join(text.replace(",", " -").replace(";", " -").split())


def prisma_values(stats: PrismaStats) -> dict[str, str]:
    """The `n` value of each template row peerlit knows, by its `data` name.

    Screening is one step in peerlit, so what passes it (include and maybe) is
    what reports are sought for and assessed; included records are the included
    studies. Rows peerlit cannot know (registers, other methods, reports not
    retrieved or excluded, automation tools) keep the template's 0 or stay empty.
    """
    per_database = "; ".join(f"{_name(name)}, {n}" for name, n in stats.by_database.items())
    passed = str(stats.included + stats.maybe)
    return {
        "database_results": str(stats.identified),
        "database_specific_results": per_database,
        "duplicates": str(stats.duplicates),
        "records_screened": str(stats.screened),
        "records_excluded": str(stats.excluded),
        "dbr_sought_reports": passed,
        "dbr_assessed": passed,
        "register_specific_results": "",
        "dbr_excluded": "",
        "other_excluded": "",
        "new_studies": str(stats.included),
        "new_reports": str(stats.included),
        "total_studies": str(stats.included),
        "total_reports": str(stats.included),
    }


def prisma_csv(stats: PrismaStats) -> str:
    """The PRISMA2020 flow-diagram CSV filled with the counts.

    Args:
        stats: The library's counts.

    Returns:
        CSV text with the template's columns (data, node, box, description,
        boxtext, tooltips, url, n) and rows.
    """
    values = prisma_values(stats)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_HEADER)
    for row in _TEMPLATE:
        writer.writerow((*row, values.get(row[0], "0")))
    return out.getvalue()


def write_prisma_csv(stats: PrismaStats, path: Path) -> None:
    """Write `prisma_csv` to a file (UTF-8, no byte-order mark, as R's read.csv expects)."""
    path.write_text(prisma_csv(stats), encoding="utf-8")
