"""The record model: plain dataclasses shared by every layer.

Nothing here performs I/O or imports a UI or storage library. Importers build
`Record` objects field by field; `peerlit_tui.importers.pipeline` then cleans
every string, derives a display title when the source has none, and assigns the
stable id. Storage serialises records with `Record.to_dict` / `Record.from_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

#: Normalised record types. Importers map their own vocabulary onto these.
RECORD_TYPES = (
    "article",
    "review",
    "book",
    "book part",
    "chapter",
    "case study",
    "conference paper",
    "report",
    "thesis",
    "dataset",
    "webpage",
    "preprint",
    "other",
)


@dataclass(frozen=True, slots=True)
class Author:
    """One author name.

    Attributes:
        name: The name as the source wrote it ("Gray, Benjamin T." or
            "Benjamin Thomas Gray"); this is what lists and JSON show.
        family: Surname, used for sorting, citations and record identity.
        given: Given names or initials, possibly empty.
        inverted: True when the source gave "Surname, Given" order, so the
            split into family and given names is authoritative rather than a
            guess from word order.
    """

    name: str
    family: str = ""
    given: str = ""
    inverted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "name": self.name,
            "family": self.family,
            "given": self.given,
            "inverted": self.inverted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Author:
        """Build an author from `to_dict` output."""
        return cls(
            name=str(data.get("name", "")),
            family=str(data.get("family", "")),
            given=str(data.get("given", "")),
            inverted=bool(data.get("inverted", False)),
        )


@dataclass(frozen=True, slots=True)
class Section:
    """One section of an abstract, in source order.

    Attributes:
        heading: The heading as shown to the reader ("Design/methodology/approach");
            empty for an unstructured abstract.
        text: The section text; paragraphs are separated by a blank line.
        key: Canonical key of a recognised heading ("purpose", "design",
            "findings", "limitations", "implications", "social", "originality",
            "background", "objective", "methods", "results", "conclusions"), or
            "" when the heading is not one of them.
    """

    heading: str
    text: str
    key: str = ""

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready mapping."""
        return {"heading": self.heading, "text": self.text, "key": self.key}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        """Build a section from `to_dict` output."""
        return cls(
            heading=str(data.get("heading", "")),
            text=str(data.get("text", "")),
            key=str(data.get("key", "")),
        )


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where and when a record was met.

    A record imported from several files or databases keeps one provenance per
    (file, database) pair, which is what per-database PRISMA counts are built on.

    Attributes:
        file: Absolute path of the imported file.
        format: Importer name ("ris", "emerald", ...).
        database: Source database ("Emerald Insight", "PubMed", "Scopus", ...),
            from `--source` or guessed from the file.
        imported_at: ISO-8601 UTC timestamp of the import.
        line: 1-based line where the record starts in the file (0 if unknown).
    """

    file: str
    format: str
    database: str = ""
    imported_at: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "file": self.file,
            "format": self.format,
            "database": self.database,
            "imported_at": self.imported_at,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        """Build a provenance from `to_dict` output."""
        return cls(
            file=str(data.get("file", "")),
            format=str(data.get("format", "")),
            database=str(data.get("database", "")),
            imported_at=str(data.get("imported_at", "")),
            line=int(data.get("line", 0) or 0),
        )


@dataclass(slots=True)
class Record:
    """One bibliographic record.

    Importers fill what their source has and leave the rest at the defaults;
    strings are cleaned afterwards by the import pipeline, so importers need not
    worry about control characters or whitespace.

    Attributes:
        id: Stable id: the normalised DOI when there is one, else a short hash
            of normalised title + first-author surname + year. Set by the pipeline.
        type: One of `RECORD_TYPES`.
        type_detail: The source's own finer label ("Research Article", "JOUR").
        title: Title; when the source has none this is a derived title.
        title_derived: True when `title` was derived from the teaser or abstract.
        authors: Authors in source order.
        date: Publication date as ISO text: "2024-08-22", "2024-08" or "2024".
        year: Publication year, when known.
        journal: Journal, book or proceedings title (the container).
        volume: Volume as written.
        issue: Issue as written.
        pages: Page range ("12-19") or article number.
        issn: ISSN(s), comma-separated.
        isbn: ISBN(s), comma-separated.
        doi: Normalised DOI (lower-case, no resolver prefix), or "".
        url: Landing-page URL.
        keywords: Keywords in source order, de-duplicated.
        language: Language as written by the source.
        abstract: Abstract sections in order; an unstructured abstract is one
            section with an empty heading.
        teaser: The listing's short teaser text (Emerald results pages).
        listing_count: The unlabelled number a results page shows next to a
            record (Emerald prints a bare count after the teaser), or None.
        publisher: Publisher, when given.
        extra: Source fields peerlit has no column for (PMID, accession number,
            source labels, ...), kept so nothing the source said is lost.
        sources: Every provenance of this record.
    """

    id: str = ""
    type: str = "other"
    type_detail: str = ""
    title: str = ""
    title_derived: bool = False
    authors: list[Author] = field(default_factory=list)
    date: str = ""
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    issn: str = ""
    isbn: str = ""
    doi: str = ""
    url: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    abstract: list[Section] = field(default_factory=list)
    teaser: str = ""
    listing_count: int | None = None
    publisher: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    sources: list[Provenance] = field(default_factory=list)

    @property
    def abstract_text(self) -> str:
        """The whole abstract as one text, headings included."""
        parts = []
        for section in self.abstract:
            parts.append(f"{section.heading}: {section.text}" if section.heading else section.text)
        return "\n\n".join(parts)

    @property
    def first_author_family(self) -> str:
        """Surname of the first author, or "" when there are no authors."""
        return self.authors[0].family if self.authors else ""

    def author_short(self) -> str:
        """First author's surname plus "et al." when there are more authors."""
        if not self.authors:
            return ""
        first = self.authors[0].family or self.authors[0].name
        if len(self.authors) == 1:
            return first
        if len(self.authors) == 2:
            second = self.authors[1].family or self.authors[1].name
            return f"{first} & {second}"
        return f"{first} et al."

    def section(self, key: str) -> Section | None:
        """Return the first section with canonical `key`, if any."""
        for section in self.abstract:
            if section.key == key:
                return section
        return None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping holding every field."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "authors":
                value = [a.to_dict() for a in value]
            elif f.name == "abstract":
                value = [s.to_dict() for s in value]
            elif f.name == "sources":
                value = [p.to_dict() for p in value]
            elif isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Build a record from `to_dict` output; unknown keys are ignored."""
        year = data.get("year")
        count = data.get("listing_count")
        return cls(
            id=str(data.get("id", "")),
            type=str(data.get("type", "other")),
            type_detail=str(data.get("type_detail", "")),
            title=str(data.get("title", "")),
            title_derived=bool(data.get("title_derived", False)),
            authors=[Author.from_dict(a) for a in data.get("authors", [])],
            date=str(data.get("date", "")),
            year=int(year) if year is not None else None,
            journal=str(data.get("journal", "")),
            volume=str(data.get("volume", "")),
            issue=str(data.get("issue", "")),
            pages=str(data.get("pages", "")),
            issn=str(data.get("issn", "")),
            isbn=str(data.get("isbn", "")),
            doi=str(data.get("doi", "")),
            url=str(data.get("url", "")),
            keywords=[str(k) for k in data.get("keywords", [])],
            language=str(data.get("language", "")),
            abstract=[Section.from_dict(s) for s in data.get("abstract", [])],
            teaser=str(data.get("teaser", "")),
            listing_count=int(count) if count is not None else None,
            publisher=str(data.get("publisher", "")),
            extra={str(k): str(v) for k, v in dict(data.get("extra", {})).items()},
            sources=[Provenance.from_dict(p) for p in data.get("sources", [])],
        )


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """A problem met while reading a file: a skipped record or a warning.

    Attributes:
        line: 1-based line (or row) in the file where the problem is, 0 if unknown.
        message: What was wrong, in words a user can act on.
        skipped: True when a record was dropped because of it; False for a
            warning about a record that was still imported.
    """

    line: int
    message: str
    skipped: bool = True
