"""Screening decisions that other review tools leave in their exports.

A team moving to peerlit brings its screening with it. The importers keep what
each tool writes in a record's `extra`; this module reads it as a decision, an
exclusion reason and tags:

- ASReview: a `label_included` / `included` / `asreview_label` column, 1
  included, 0 excluded, -1 or empty not screened; in RIS, `ASReview_relevant` /
  `ASReview_irrelevant` notes.
- EPPI-Reviewer: the `Included` column, "I" or "E".
- Rayyan: `RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}` in the
  notes (RIS N1 or the CSV notes column), with `RAYYAN-EXCLUSION-REASONS: a,b`
  and `RAYYAN-LABELS: x,y`. Reviewers who disagree give no decision.
- abstrackr: `consensus` 1 (include), -1 (exclude), 0 (maybe); "o" means no
  consensus was computed, and then the reviewers' own columns (1/-1/0) decide
  when they agree.
- Covidence: the `Tags` column becomes tags.

Nothing here touches the annotations store: `peerlit_tui.services.label_import`
applies what is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peerlit_tui.model import Record

_INCLUDE, _EXCLUDE, _MAYBE = "include", "exclude", "maybe"
#: Values of ASReview-style label columns.
_LABEL_VALUES = {
    "1": _INCLUDE, "1.0": _INCLUDE, "true": _INCLUDE, "yes": _INCLUDE, "i": _INCLUDE,
    "include": _INCLUDE, "included": _INCLUDE,
    "0": _EXCLUDE, "0.0": _EXCLUDE, "false": _EXCLUDE, "no": _EXCLUDE, "e": _EXCLUDE,
    "exclude": _EXCLUDE, "excluded": _EXCLUDE, "maybe": _MAYBE,
    "relevant": _INCLUDE, "irrelevant": _EXCLUDE,
}  # fmt: skip
_ABSTRACKR_VALUES = {"1": _INCLUDE, "-1": _EXCLUDE, "0": _MAYBE}
_RAYYAN_VALUES = {"included": _INCLUDE, "excluded": _EXCLUDE, "maybe": _MAYBE}
#: Keys of `extra` that hold an ASReview/EPPI-style label.
LABEL_KEYS = ("label_included", "asreview_label")
# abstrackr columns that are not a reviewer's label.
_ABSTRACKR_OTHER = frozenset(
    {"consensus", "labeled_at", "tags", "(source) id", "pubmed id", "pmid", "record_id",
     "accession_number", "database", "notes", "label_included"}
)  # fmt: skip
_RAYYAN_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}")
_RAYYAN_PAIR = re.compile(r'"([^"]*)"\s*=>\s*"([^"]*)"')
_RAYYAN_LIST = re.compile(r"RAYYAN-(EXCLUSION-REASONS|LABELS):\s*([^|\n]*)")


@dataclass(slots=True)
class ScreeningLabel:
    """What an export says about one record's screening.

    Attributes:
        tool: The tool whose convention was read ("ASReview", "Rayyan", ...).
        decision: "include", "exclude", "maybe", or "" when none is given.
        reasons: Exclusion reasons, in order.
        tags: Tags (Rayyan labels, Covidence tags).
        disagreement: The reviewers' decisions differ, so none is taken.
    """

    tool: str
    decision: str = ""
    reasons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    disagreement: bool = False

    def is_blank(self) -> bool:
        """True when the label says nothing."""
        return not (self.decision or self.reasons or self.tags or self.disagreement)


def _agreed(decisions: list[str]) -> tuple[str, bool]:
    """The shared decision of several reviewers, and whether they disagree."""
    distinct = set(decisions)
    if len(distinct) == 1:
        return decisions[0], False
    return "", len(distinct) > 1


def _rayyan(notes: str) -> ScreeningLabel | None:
    inclusion = _RAYYAN_INCLUSION.search(notes)
    lists = _RAYYAN_LIST.findall(notes)
    if inclusion is None and not lists:
        return None
    label = ScreeningLabel("Rayyan")
    if inclusion is not None:
        # Rayyan's CSV doubles the quotes of its own notation: {""Emily""=>""Included""}.
        pairs = _RAYYAN_PAIR.findall(inclusion.group(1).replace('""', '"'))
        decisions = [_RAYYAN_VALUES.get(v.strip().lower(), "") for _, v in pairs]
        label.decision, label.disagreement = _agreed([d for d in decisions if d])
    for kind, values in lists:
        items = [v.strip() for v in values.split(",") if v.strip()]
        if kind == "LABELS":
            label.tags.extend(items)
        else:
            label.reasons.extend(items)
    return label


def _abstrackr(extra: dict[str, str]) -> ScreeningLabel:
    label = ScreeningLabel("abstrackr")
    consensus = extra.get("consensus", "").strip()
    if consensus in _ABSTRACKR_VALUES:
        label.decision = _ABSTRACKR_VALUES[consensus]
    else:
        reviewers = [
            _ABSTRACKR_VALUES[value.strip()]
            for key, value in extra.items()
            if key not in _ABSTRACKR_OTHER
            and not key.endswith(")")
            and value.strip() in _ABSTRACKR_VALUES
        ]
        label.decision, label.disagreement = _agreed(reviewers)
    tags = extra.get("tags", "")
    label.tags = [t.strip() for t in re.split(r"[;,]", tags) if t.strip()]
    return label


def read_label(record: Record) -> ScreeningLabel | None:
    """The screening label a record carries in `extra`, or None.

    Args:
        record: A record as an importer read it.

    Returns:
        The label; None when the record carries no screening information.
    """
    extra = record.extra
    notes = extra.get("notes", "")
    if "RAYYAN-" in notes:
        rayyan = _rayyan(notes)
        if rayyan is not None:
            return rayyan
    if "consensus" in extra:
        found = _abstrackr(extra)
        return None if found.is_blank() else found
    for key in LABEL_KEYS:
        value = extra.get(key, "").strip().lower()
        if value:
            decision = _LABEL_VALUES.get(value, "")
            tool = "EPPI-Reviewer" if value in ("i", "e") else "ASReview"
            return ScreeningLabel(tool, decision) if decision else None
    tags = extra.get("Tags", "")
    if tags.strip():
        return ScreeningLabel("Covidence", tags=[t.strip() for t in tags.split(";") if t.strip()])
    return None


def may_hold_labels(head: str) -> bool:
    """Cheap check on a file's opening text (and notes markers) before reading labels.

    Args:
        head: The file's text (or its start).

    Returns:
        Whether the file may carry screening labels worth reading.
    """
    if "RAYYAN-" in head:
        return True
    first_line = head.split("\n", 1)[0].lower()
    compact = re.sub(r"[^a-z]", "", first_line)
    return any(
        word in compact
        for word in ("labelincluded", "asreviewlabel", "included", "consensus", "tags")
    ) or bool(re.search(r"^N1  - .*ASReview_(?:relevant|irrelevant)", head, re.MULTILINE))


def count_table_labels(text: str) -> tuple[int, list[str], int]:
    """Count the labelled rows of a CSV/TSV export without importing it.

    Reading every record through the importer costs as much as the import
    itself; to tell the user that a file carries labels only the label columns
    are needed. The columns are found as the importer finds them.

    Args:
        text: The file's text.

    Returns:
        (labelled rows, tools, rows whose reviewers disagree).
    """
    import csv
    import io

    from peerlit_tui.importers.csv_tsv import SAMPLE_CHARS, detect_delimiter, header_offset
    from peerlit_tui.text import match_key

    text = text.lstrip("\ufeff")
    text = text[header_offset(text[:SAMPLE_CHARS]) :]
    delimiter = detect_delimiter(text[:SAMPLE_CHARS], truncated=len(text) > SAMPLE_CHARS)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ",")
    header = next(reader, [])
    keys = [match_key(name) for name in header]
    columns: dict[int, str] = {}
    label_keys = ("labelincluded", "asreviewlabel", "included", "finalincluded", "incl1excl0")
    label = next((keys.index(k) for k in label_keys if k in keys), None)
    if label is not None:
        columns[label] = "label_included"
    for name, key in (("consensus", "consensus"), ("Tags", "tags"), ("notes", "notes")):
        if key in keys:
            columns[keys.index(key)] = name
    if "consensus" in keys:
        start = keys.index("consensus")
        for index in range(start + 1, len(header)):
            name = header[index].strip()
            if name and name.lower() not in _ABSTRACKR_OTHER and not name.endswith(")"):
                columns.setdefault(index, name)
    if not columns:
        return 0, [], 0
    # Rows the importer skips (no title, abstract or DOI) are not counted either.
    identifying = [i for i, k in enumerate(keys) if k in ("title", "abstract", "doi")]
    count = disagreements = 0
    tools: list[str] = []
    for row in reader:
        if identifying and not any(i < len(row) and row[i].strip() for i in identifying):
            continue
        extra = {name: row[i] for i, name in columns.items() if i < len(row) and row[i].strip()}
        found = read_label(Record(extra=extra)) if extra else None
        if found is None:
            continue
        count += 1
        disagreements += found.disagreement
        if found.tool not in tools:
            tools.append(found.tool)
    return count, tools, disagreements
