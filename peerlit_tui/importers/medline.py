"""PubMed MEDLINE / .nbib files ("PMID- 26524502", "TI  - ...", "FAU - Gray, Benjamin").

Each line is a tag of two to four capitals padded to four characters, "- ", and
the value; a value continues on lines indented by six spaces. Some writers drop
the space after the dash ("TI  -text") or repeat a tag for a long value (two TI
or AB lines), which reads as one value.

Records are the blank-line separated blocks PubMed writes; a block holding
several records with no blank line between them (as JabRef writes them) is split
where its first tag comes again (`PMID-` usually, but not always first). Anything
else inside a record is reported with its line number and skipped, and the record
is still imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerlit_tui.authors import names_to_authors
from peerlit_tui.importers.base import Format, Parsed, SourceFile
from peerlit_tui.importers.tagged_fields import combine_dates, split_serials, unique
from peerlit_tui.model import Author, ImportIssue, Record
from peerlit_tui.sections import split_abstract
from peerlit_tui.text import shorten

_SNIFF_CHARS = 20_000
_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} *-(?: |(?=\S))")
# Tags a record has more than once; a repeat of any other first tag starts a record.
_REPEATING = frozenset(
    {"AU", "FAU", "AD", "AUID", "MH", "OT", "PT", "AID", "LID", "IS", "RN", "SI", "GR",
     "PHST", "CIN", "CON", "EIN", "CRI", "ISBN", "CN", "LA", "OTO", "OAB", "IR", "FIR"}
)  # fmt: skip
_DOI_IN_TEXT = re.compile(r"\bdoi:?\s*(10\.\d{4,9}/\S+)", re.IGNORECASE)
_SNIFF_PMID = re.compile(r"^PMID- *\d", re.MULTILINE)
# Three- and four-letter tags: RIS has none, so they tell MEDLINE from RIS.
_SNIFF_TAGS = re.compile(
    r"^(?:FAU |OWN |STAT|LID |AID |DEP |EDAT|MHDA|CRDT|PHST|PST |JID |OTO )- ", re.MULTILINE
)
_IDENTIFIER = re.compile(r"^(.*?)\s*\[(\w+)\]\s*$")

#: Publication types (folded) mapped to record types, in order of precedence.
_PUBLICATION_TYPES: tuple[tuple[str, str], ...] = (
    ("preprint", "preprint"),
    ("systematic review", "review"),
    ("review", "review"),
    ("meta-analysis", "review"),
    ("case reports", "case study"),
    ("congress", "conference paper"),
    ("clinical conference", "conference paper"),
    ("consensus development conference", "conference paper"),
    ("dataset", "dataset"),
    ("technical report", "report"),
    ("academic dissertation", "thesis"),
    ("book", "book"),
    ("journal article", "article"),
    ("letter", "article"),
    ("editorial", "article"),
    ("comment", "article"),
    ("clinical trial", "article"),
    ("randomized controlled trial", "article"),
)

#: MEDLINE three-letter language codes for the languages met most often.
_LANGUAGES = {
    "eng": "English", "fre": "French", "ger": "German", "spa": "Spanish", "ita": "Italian",
    "por": "Portuguese", "dut": "Dutch", "rus": "Russian", "jpn": "Japanese", "chi": "Chinese",
    "pol": "Polish", "swe": "Swedish", "nor": "Norwegian", "dan": "Danish", "kor": "Korean",
    "tur": "Turkish", "cze": "Czech", "hun": "Hungarian", "fin": "Finnish", "gre": "Greek",
    "heb": "Hebrew", "ara": "Arabic", "per": "Persian",
}  # fmt: skip


def sniff(source: SourceFile) -> float:
    """Score how likely the text is MEDLINE: `PMID- ` lines, or its four-letter tags."""
    head = source.text[:_SNIFF_CHARS]
    if _SNIFF_PMID.search(head):
        return 0.95
    if len(_SNIFF_TAGS.findall(head)) >= 2:
        return 0.8
    return 0.0


def _record_type(types: list[str]) -> str:
    folded = [t.lower() for t in types]
    for label, kind in _PUBLICATION_TYPES:
        if label in folded:
            return kind
    return "other" if folded else "article"


def record_type_of(types: list[str]) -> str:
    """The record type for a list of MEDLINE publication types (also used for PubMed XML)."""
    return _record_type(types)


def language_name(code: str) -> str:
    """The language name for a MEDLINE three-letter code ("eng" -> "English"), else the code."""
    return _LANGUAGES.get(code.lower(), code)


def _identifier(values: list[str], kind: str) -> str:
    """The value of "10.1016/x [doi]"-style identifiers of the given kind."""
    for value in values:
        found = _IDENTIFIER.match(value)
        if found and found.group(2).lower() == kind:
            return found.group(1)
    return ""


def _doi_in_text(values: list[str]) -> str:
    """A DOI written as "doi:10.1000/x" or "doi: 10.1000/x." in LID, AID or SO values."""
    for value in values:
        found = _DOI_IN_TEXT.search(value)
        if found:
            return found.group(1).rstrip(".,;")
    return ""


def _mesh_term(heading: str) -> str:
    """The MeSH descriptor without its major-topic star or subheadings.

    "*Neoplasms/drug therapy" becomes "Neoplasms".
    """
    return heading.split("/", 1)[0].strip().lstrip("*").strip()


def _to_record(fields: dict[str, list[str]]) -> Record:
    """Map one record's tags (tag -> values, continuations joined) onto a `Record`."""

    def first(*tags: str) -> str:
        for tag in tags:
            for value in fields.get(tag, ()):
                if value:
                    return value
        return ""

    types = fields.get("PT", [])
    record = Record(type=_record_type(types), type_detail="; ".join(types))
    # A long title or abstract written as repeated TI/AB lines is one value.
    record.title = " ".join(v for v in fields.get("TI", []) if v) or first("BTI")
    record.journal = first("JT", "TA") or (first("BTI") if record.title != first("BTI") else "")
    names = fields.get("FAU") or fields.get("AU") or []
    record.authors = names_to_authors(names)
    # Collective authors ("Pelvic Floor Disorders Network") are whole names, not
    # "Given Surname" to be split.
    record.authors += [Author(name=n, family=n) for n in fields.get("CN", []) if n]
    record.date, record.year = combine_dates(first("DP"), "")
    record.volume = first("VI")
    record.issue = first("IP")
    record.pages = first("PG")
    issns, isbns = split_serials(fields.get("IS", []) + fields.get("ISBN", []))
    record.issn, record.isbn = ", ".join(issns), ", ".join(isbns)
    record.doi = (
        _identifier(fields.get("LID", []), "doi")
        or _identifier(fields.get("AID", []), "doi")
        or _doi_in_text(fields.get("LID", []) + fields.get("AID", []) + fields.get("SO", []))
    )
    keywords = list(fields.get("OT", []))
    keywords += [_mesh_term(h) for h in fields.get("MH", [])]
    record.keywords = unique(keywords)
    language = first("LA")
    record.language = _LANGUAGES.get(language.lower(), language)
    record.abstract = split_abstract("\n".join(v for v in fields.get("AB", []) if v))
    record.publisher = first("PB")
    pmid = first("PMID")
    if pmid:
        record.extra["pmid"] = pmid
        record.url = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    pmc = first("PMC")
    if pmc:
        record.extra["pmcid"] = pmc
    abbreviation = first("TA")
    if abbreviation and abbreviation != record.journal:
        record.extra["journal_abbreviation"] = abbreviation
    return record


def _read_record(lines: list[str], first_line: int) -> Parsed:
    """Read one record's lines (starting at file line `first_line`)."""
    fields: dict[str, list[str]] = {}
    issues: list[ImportIssue] = []
    current: list[str] | None = None
    for offset, line in enumerate(lines):
        if line[4:5] == "-" and _TAG_LINE.match(line):
            current = fields.setdefault(line[:4].rstrip(), [])
            current.append(line[5:].strip())
        elif line[:1] == " " and current is not None and line.strip():
            # Continuation lines wrap long values at word boundaries.
            current[-1] = f"{current[-1]} {line.strip()}" if current[-1] else line.strip()
        elif line.strip():
            number = first_line + offset
            shown = shorten(line.strip(), 60)
            message = f"line {number}: not a MEDLINE tag or continuation line, ignored: {shown!r}"
            issues.append(ImportIssue(number, message, False))
    if not fields:
        return Parsed(first_line, None, issues)
    return Parsed(first_line, _to_record(fields), issues)


def _tag(line: str) -> str:
    return line[:4].rstrip() if line[4:5] == "-" and _TAG_LINE.match(line) else ""


def _split_block(start: int, lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Split one blank-line block holding several records at each repeat of its first tag."""
    first = next((_tag(line) for line in lines if _tag(line)), "")
    if first in _REPEATING:
        first = "PMID"
    begin = 0
    seen = False
    for offset, line in enumerate(lines):
        if _tag(line) == first:
            if seen:
                yield start + begin, lines[begin:offset]
                begin = offset
            seen = True
    yield start + begin, lines[begin:]


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, lines) for each record, in file order."""
    lines = text.split("\n")
    block: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
            continue
        # A blank line ends a record, unless what follows continues its last value.
        following = lines[number] if number < len(lines) else ""
        if block and following[:1] == " " and following.strip():
            continue
        if block:
            yield from _split_block(start, block)
            block = []
    if block:
        yield from _split_block(start, block)


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Yield one `Parsed` per MEDLINE record, in file order."""
    text = source.text.replace("\ufeff", "") if "\ufeff" in source.text else source.text
    for first_line, lines in _blocks(text):
        parsed = _read_record(lines, first_line)
        if parsed.record is not None or parsed.issues:
            yield parsed


FORMAT = Format(
    name="medline",
    label="PubMed MEDLINE",
    extensions=("nbib", "medline", "txt"),
    sniff=sniff,
    parse=parse,
    database="PubMed",
)
