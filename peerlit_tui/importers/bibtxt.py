"""citation-js "bibtxt": BibTeX fields written as indented `field: value` lines.

    [Steinbeck2003]
        type: article
        author: Christoph Steinbeck and Yongquan Han
        title: The Chemistry Development Kit

A `[label]` line opens an entry; `type:` gives its BibTeX entry type (citation-js
defaults to "book"); every other line is one field. Values are BibTeX values, so
entries are mapped exactly as BibTeX entries are (`bibtex_fields`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.importers.base import Format, Parsed, SourceFile
from peerlit_tui.importers.bibtex_fields import record_from_fields
from peerlit_tui.model import ImportIssue

_LABEL = re.compile(r"^\s*\[(.*)\]\s*$")
_PAIR = re.compile(r"^\s*([A-Za-z][\w.+-]*)\s*:(.*)$")
_DEFAULT_TYPE = "book"


def sniff(source: SourceFile) -> float:
    """Score how likely the file is bibtxt: a `[label]` line, then `field: value` lines.

    Every non-blank line among the first 40 must be a label or a field, and some
    label must be directly followed by a field, so other `.txt` exports (RIS,
    MEDLINE, plain prose) are never claimed.

    Args:
        source: The loaded file.

    Returns:
        0.85 when the opening lines fit, else 0.
    """
    lines = [line for line in source.text[:20000].split("\n") if line.strip()][:40]
    if not lines or not _LABEL.match(lines[0]):
        return 0.0
    opened = False
    for previous, line in zip(["", *lines], lines, strict=False):
        label = _LABEL.match(line)
        if label:
            continue
        if not _PAIR.match(line):
            return 0.0
        previous_label = _LABEL.match(previous)
        if previous_label and previous_label.group(1).strip():
            opened = True
    return 0.85 if opened else 0.0


def _entry(line: int, label: str, fields: dict[str, str], issues: list[ImportIssue]) -> Parsed:
    entry_type = fields.pop("type", _DEFAULT_TYPE).strip().lower() or _DEFAULT_TYPE
    try:
        return Parsed(line, record_from_fields(entry_type, label, fields), issues)
    except Exception as exc:  # one odd entry must not sink the file
        message = f"entry [{label}] could not be read ({type(exc).__name__}: {exc}); skipped"
        return Parsed(line, None, [*issues, ImportIssue(line, message)])


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every entry of a bibtxt file.

    Args:
        source: The loaded file.

    Yields:
        One item per labelled entry that has fields, in file order. An entry
        without fields (such as a bare `[]`) is ignored, as citation-js does.
    """
    label: str | None = None
    start = 0
    fields: dict[str, str] = {}
    issues: list[ImportIssue] = []
    for number, line in enumerate(source.text.split("\n"), start=1):
        if not line.strip():
            continue
        opened = _LABEL.match(line)
        if opened:
            if label is not None and fields:
                yield _entry(start, label, fields, issues)
            label, start, fields, issues = opened.group(1).strip(), number, {}, []
            continue
        pair = _PAIR.match(line)
        if pair is None or label is None:
            where = "is not a 'field: value' line" if label is not None else "precedes any [label]"
            warning = ImportIssue(number, f"text {where}; ignored", skipped=False)
            if label is None:
                yield Parsed(number, None, [warning])
            else:
                issues.append(warning)
            continue
        name, value = pair.group(1).lower(), pair.group(2).strip()
        if value and name not in fields:
            fields[name] = value
    if label is not None and fields:
        yield _entry(start, label, fields, issues)


FORMAT = Format(
    name="bibtxt",
    label="bibtxt",
    extensions=("txt",),
    sniff=sniff,
    parse=parse,
    database="",
)
