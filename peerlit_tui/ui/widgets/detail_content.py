"""Text of the detail pane: the title, the metadata block and marked-up untrusted text.

Everything here builds `Content` from imported text without parsing markup:
`marked_content` marks the project's include/exclude-words and the terms that weigh
most in a record's relevance ranking (`RankWhy`), and draws the active query's
matches over them; the metadata block is one `Content` of labelled lines
(authors, source, identifiers, provenance, duplicates), not a grid of labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from textual.content import Content, Span

from peerlit_tui.highlight import Highlight
from peerlit_tui.model import Record
from peerlit_tui.ui.text_render import match_spans, safe_line, safe_str

#: Component class of highlighted query terms.
HIGHLIGHT = ".detail-pane--highlight"
#: Field labels in the metadata block are padded to this width.
LABEL_WIDTH = 10
#: Authors shown before the list is cut short with "… and N more".
MAX_AUTHORS_SHOWN = 40
#: Component class of the terms that weigh most in a record's ranking.
RANK_WORD = ".detail-pane--rank-word"


@dataclass(frozen=True, slots=True)
class RankWhy:
    """Why the relevance ranking puts a record where it is, for the detail pane.

    Attributes:
        terms: The record's terms that raise its score most, largest first (record text).
        level: Its score as 0–9 (rank decile), None when not ranked.
        note: Said instead of terms when there are none ("ranked after the next retrain").
        pattern: Finds the terms in the record's text (marked like include-words).
    """

    terms: tuple[str, ...] = ()
    level: int | None = None
    note: str = ""
    pattern: re.Pattern[str] | None = None


def why_content(why: RankWhy) -> Content:
    """One line: "Ranked 9/9 (top 10 %) for  adhd · randomized trial", terms marked."""
    parts: list[str | tuple[str, str] | Content] = [
        ("Ranked".ljust(LABEL_WIDTH), ".detail-pane--label")
    ]
    if why.level is not None:
        top = 10 * (10 - why.level)
        parts.append(f"{why.level}/9 (top {top} %)")
    if why.terms:
        parts.append(("  for  " if why.level is not None else "for  ", ".detail-pane--label"))
        for n, term in enumerate(why.terms):
            if n:
                parts.append((" · ", ".detail-pane--muted"))
            parts.append((safe_line(term), RANK_WORD))
    elif why.note:
        parts.append(("  " if why.level is not None else "", ".detail-pane--muted"))
        parts.append((safe_line(why.note), ".detail-pane--muted"))
    return Content.assemble(*parts)


def title_content(
    record: Record,
    highlights: Sequence[re.Pattern[str]],
    words: Sequence[Highlight],
    ranked: re.Pattern[str] | None = None,
) -> Content:
    """The record's title, marked as derived when it was taken from the abstract.

    Args:
        record: The record shown.
        highlights: Compiled patterns of the active query's terms.
        words: The project's include- and exclude-words.
        ranked: Finds the terms that weigh most in the record's ranking (None: not shown).
    """
    title = marked_content(
        safe_line(record.title) or "(untitled)",
        highlights,
        words,
        base_style=".detail-pane--derived" if record.title_derived else ".detail-pane--title",
        ranked=ranked,
    )
    if not record.title_derived:
        return title
    return Content.assemble(
        ("≈ ", ".detail-pane--derived"),
        title,
        ("\n(title derived from the abstract)", ".detail-pane--muted"),
    )


def meta_content(
    record: Record,
    duplicates: Sequence[dict[str, str]],
    highlights: Sequence[re.Pattern[str]],
    words: Sequence[Highlight],
    ranked: re.Pattern[str] | None = None,
) -> Content:
    """The metadata block: one labelled line per field that has a value.

    Args:
        record: The record shown.
        duplicates: Links to likely duplicates (`Library.duplicates_of`).
        highlights: Compiled patterns of the active query's terms.
        words: The project's include- and exclude-words (marked in the keywords).
        ranked: Finds the terms that weigh most in the record's ranking (marked in the keywords).
    """
    lines: list[Content] = []

    def add(label: str, value: str, *, highlight: bool = False, mark_words: bool = False) -> None:
        value = safe_line(value)
        if not value:
            return
        body = (
            marked_content(
                value,
                highlights,
                words if mark_words else (),
                ranked=ranked if mark_words else None,
            )
            if highlight
            else Content(value)
        )
        lines.append(Content.assemble((label.ljust(LABEL_WIDTH), ".detail-pane--label"), body))

    names = [a.name or a.family for a in record.authors[:MAX_AUTHORS_SHOWN]]
    more = len(record.authors) - MAX_AUTHORS_SHOWN
    authors = "; ".join(names) + (f"; … and {more} more" if more > 0 else "")
    add("Authors", authors, highlight=True)
    add("Date", record.date or (str(record.year) if record.year else ""))
    add("Source", _container_line(record), highlight=True)
    add("Type", record.type + (f" ({record.type_detail})" if record.type_detail else ""))
    add("Publisher", record.publisher)
    add("ISSN", record.issn)
    add("ISBN", record.isbn)
    add("DOI", record.doi, highlight=True)
    add("URL", record.url)
    add("Keywords", "; ".join(record.keywords), highlight=True, mark_words=True)
    add("Language", record.language)
    if record.listing_count is not None:
        add("Listing", str(record.listing_count))
    for provenance in record.sources:
        where = PurePath(provenance.file).name if provenance.file else provenance.format
        details = ", ".join(
            part
            for part in (
                provenance.database,
                f"line {provenance.line}" if provenance.line else "",
            )
            if part
        )
        add("From", f"{where} ({details})" if details else where)
    for link in duplicates:
        reason = ", ".join(p for p in (link.get("reason", ""), link.get("status", "")) if p)
        ident = link.get("id", "")
        add("Duplicate", f"{ident} ({reason})" if reason else ident)
    add("Id", record.id)
    if record.teaser and not record.abstract:
        add("Teaser", record.teaser, highlight=True)
    return Content("\n").join(lines)


def marked_content(
    text: str | None,
    highlights: Sequence[re.Pattern[str]],
    words: Sequence[Highlight],
    *,
    base_style: str = "",
    ranked: re.Pattern[str] | None = None,
) -> Content:
    """Untrusted text with include/exclude-words and ranking terms marked, query terms over them.

    Args:
        text: The text (never parsed as markup).
        highlights: Query-term patterns (`HIGHLIGHT` style, applied last so it wins).
        words: Keyword highlights, each styled by its kind.
        base_style: Component class for the whole text.
        ranked: Finds the terms that weigh most in the record's ranking (`RANK_WORD`).
    """
    plain = safe_str(text)
    spans: list[Span] = []
    if base_style and plain:
        spans.append(Span(0, len(plain), base_style))
    for word in words:
        style = f".detail-pane--{word.kind}-word"
        spans.extend(Span(a, b, style) for a, b in match_spans(plain, [word.pattern]))
    if ranked is not None:
        spans.extend(Span(a, b, RANK_WORD) for a, b in match_spans(plain, [ranked]))
    spans.extend(Span(a, b, HIGHLIGHT) for a, b in match_spans(plain, highlights))
    return Content(plain, spans)


def _container_line(record: Record) -> str:
    """Journal, volume(issue) and pages as one citation-style line."""
    parts = [record.journal] if record.journal else []
    if record.volume:
        parts.append(record.volume + (f"({record.issue})" if record.issue else ""))
    elif record.issue:
        parts.append(f"no. {record.issue}")
    if record.pages:
        parts.append(record.pages)
    return ", ".join(parts)


def compact_meta_content(
    record: Record, duplicates: Sequence[dict[str, str]], more_key: str
) -> Content:
    """The metadata folded into one line: year · first author · journal · type.

    Screening mode shows this instead of the block, so the abstract starts on the
    first screenful at 80×24; `more_key` (the key that shows every field) is named
    at the end.

    Args:
        record: The record shown.
        duplicates: Links to likely duplicates (counted at the end when there are any).
        more_key: The key label of "all details".
    """
    first = record.authors[0] if record.authors else None
    author = (first.family or first.name) if first is not None else ""
    if author and len(record.authors) > 1:
        author += " et al."
    parts = [
        str(record.year) if record.year else "",
        author,
        record.journal,
        record.type if record.type != "other" else "",
    ]
    line = " · ".join(safe_line(p) for p in parts if p and safe_line(p))
    extra = f"  {len(duplicates)} likely duplicate(s)" if duplicates else ""
    return Content.assemble(
        (line, ".detail-pane--muted"),
        (extra, ".detail-pane--label"),
        (f"  ({more_key}: all details)", ".detail-pane--label"),
    )
