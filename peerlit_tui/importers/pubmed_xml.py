"""PubMed XML exports (`<PubmedArticleSet>` of `<PubmedArticle>` and `<PubmedBookArticle>`).

PubMed's "Save → XML" and E-utilities' efetch write the same document. Articles
carry the journal, dates, authors, a structured abstract (`<AbstractText
Label="METHODS">` elements, one per section), MeSH headings and author keywords;
book articles (NCBI Bookshelf chapters and books) carry a `<BookDocument>` with
the book's title, publisher and ISBN. The DOI is the `doi` ArticleId, else the
`doi` ELocationID.

The file is read one record at a time with the protections of
`peerlit_tui.importers.xml_records`: the DOCTYPE PubMed writes is allowed (its
DTD is never fetched), entity declarations and internal subsets are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from peerlit_tui.importers.base import FileFormatError, Format, Parsed, SourceFile
from peerlit_tui.importers.medline import language_name, record_type_of
from peerlit_tui.importers.tagged_fields import MONTHS, iso_date, unique
from peerlit_tui.importers.xml_records import element_text, iter_elements
from peerlit_tui.model import Author, ImportIssue, Record, Section
from peerlit_tui.sections import sections_from_pairs, split_abstract

_REFUSED = (
    "the XML declares entities or an internal DTD subset, which PubMed exports never do; "
    "refused for safety"
)
_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
_SNIFF = re.compile(r"<PubmedArticleSet\b|<PubmedArticle\b|<PubmedBookArticle\b")
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def sniff(source: SourceFile) -> float:
    """Score a file as PubMed XML: its set or article elements near the start."""
    head = source.text[:20_000]
    if not head.lstrip("\ufeff \n").startswith("<") or not _SNIFF.search(head):
        return 0.0
    return 0.95


def _date(element: ET.Element | None) -> tuple[str, int | None]:
    """ISO date and year of a `<PubDate>`-like element (Year/Month/Day or MedlineDate)."""
    if element is None:
        return "", None
    year_text = element.findtext("Year") or ""
    if not year_text:
        found = _YEAR.search(element.findtext("MedlineDate") or "")
        return (found.group(1), int(found.group(1))) if found else ("", None)
    if not year_text.isdigit():
        return "", None
    year = int(year_text)
    month_text = (element.findtext("Month") or "").strip()
    month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text[:3].lower())
    day_text = (element.findtext("Day") or "").strip()
    day = int(day_text) if day_text.isdigit() else None
    return iso_date(year, month, day), year


def _authors(author_list: ET.Element | None) -> list[Author]:
    out: list[Author] = []
    for author in author_list.iterfind("Author") if author_list is not None else ():
        collective = element_text(author.find("CollectiveName"))
        if collective:
            out.append(Author(name=collective, family=collective))
            continue
        family = element_text(author.find("LastName"))
        given = element_text(author.find("ForeName")) or element_text(author.find("Initials"))
        if family:
            name = f"{family}, {given}" if given else family
            out.append(Author(name=name, family=family, given=given, inverted=True))
    return out


def _abstract(abstract: ET.Element | None) -> list[tuple[str, str]]:
    """(label, text) of each `<AbstractText>`; an unlabelled one has label ""."""
    if abstract is None:
        return []
    return [
        (part.get("Label", "").strip(), element_text(part))
        for part in abstract.iterfind("AbstractText")
        if element_text(part)
    ]


def _ids(*lists: ET.Element | None) -> dict[str, str]:
    """ArticleId values by IdType ("doi", "pmc", "pubmed", "bookaccession"), first kept."""
    out: dict[str, str] = {}
    for id_list in lists:
        for item in id_list.iterfind("ArticleId") if id_list is not None else ():
            kind, value = item.get("IdType", "").lower(), element_text(item)
            if kind and value:
                out.setdefault(kind, value)
    return out


def _sections(pairs: list[tuple[str, str]]) -> list[Section]:
    """Labelled parts are sections as PubMed labelled them; one unlabelled part is split."""
    if not pairs:
        return []
    if len(pairs) == 1 and not pairs[0][0]:
        return split_abstract(pairs[0][1])
    return sections_from_pairs(pairs)


def _keywords(citation: ET.Element) -> list[str]:
    words = [element_text(k) for k in citation.iterfind("KeywordList/Keyword")]
    words += [
        element_text(m) for m in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
    ]
    return unique(w for w in words if w)


def _article(element: ET.Element) -> Record:
    citation = element.find("MedlineCitation")
    if citation is None:
        raise ValueError("no MedlineCitation element")
    article = citation.find("Article")
    if article is None:
        raise ValueError("no Article element")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    date, year = _date(issue.find("PubDate") if issue is not None else None)
    if year is None:
        date, year = _date(article.find("ArticleDate"))
    types = [element_text(t) for t in article.iterfind("PublicationTypeList/PublicationType")]
    record = Record(
        type=record_type_of(types),
        type_detail="; ".join(types),
        title=element_text(article.find("ArticleTitle"))
        or element_text(article.find("VernacularTitle")),
        authors=_authors(article.find("AuthorList")),
        date=date,
        year=year,
        journal=element_text(journal.find("Title")) if journal is not None else "",
        volume=element_text(issue.find("Volume")) if issue is not None else "",
        issue=element_text(issue.find("Issue")) if issue is not None else "",
        pages=element_text(article.find("Pagination/MedlinePgn"))
        or element_text(article.find("Pagination/StartPage")),
        issn=", ".join(element_text(i) for i in journal.iterfind("ISSN"))
        if journal is not None
        else "",
        language=language_name(element_text(article.find("Language"))),
        keywords=_keywords(citation),
    )  # fmt: skip
    record.abstract = _sections(_abstract(article.find("Abstract")))
    ids = _ids(element.find("PubmedData/ArticleIdList"))
    doi = ids.get("doi", "")
    for location in article.iterfind("ELocationID"):
        if not doi and location.get("EIdType", "").lower() == "doi":
            doi = element_text(location)
    record.doi = doi
    pmid = element_text(citation.find("PMID")) or ids.get("pubmed", "")
    _identify(record, pmid, ids)
    abbreviation = element_text(journal.find("ISOAbbreviation")) if journal is not None else ""
    if abbreviation and abbreviation != record.journal:
        record.extra["journal_abbreviation"] = abbreviation
    return record


def _identify(record: Record, pmid: str, ids: dict[str, str]) -> None:
    if pmid:
        record.extra["pmid"] = pmid
        record.url = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    if ids.get("pmc"):
        record.extra["pmcid"] = ids["pmc"]
    if ids.get("bookaccession"):
        record.extra["bookaccession"] = ids["bookaccession"]


def _book(element: ET.Element) -> Record:
    document = element.find("BookDocument")
    if document is None:
        raise ValueError("no BookDocument element")
    book = document.find("Book")
    book_title = element_text(book.find("BookTitle")) if book is not None else ""
    chapter = element_text(document.find("ArticleTitle"))
    date, year = _date(book.find("PubDate") if book is not None else None)
    authors = _authors(document.find("AuthorList"))
    editors: list[Author] = []
    if book is not None:
        for author_list in book.iterfind("AuthorList"):
            found = _authors(author_list)
            (editors if author_list.get("Type") == "editors" else authors).extend(found)
    record = Record(
        type="chapter" if chapter else "book",
        type_detail="Book Chapter" if chapter else "Book",
        title=chapter or book_title,
        authors=authors or editors,
        date=date,
        year=year,
        journal=book_title if chapter else "",
        publisher=element_text(book.find("Publisher/PublisherName")) if book is not None else "",
        isbn=", ".join(element_text(i) for i in book.iterfind("Isbn")) if book is not None else "",
        language=language_name(element_text(document.find("Language"))),
        keywords=unique(element_text(k) for k in document.iterfind("KeywordList/Keyword")),
    )  # fmt: skip
    record.abstract = _sections(_abstract(document.find("Abstract")))
    if editors and authors:
        record.extra["editor"] = "; ".join(a.name for a in editors)
    ids = _ids(document.find("ArticleIdList"), element.find("PubmedBookData/ArticleIdList"))
    record.doi = ids.get("doi", "")
    _identify(record, element_text(document.find("PMID")) or ids.get("pubmed", ""), ids)
    return record


def parse(source: SourceFile) -> Iterator[Parsed]:
    """Read every article and book article of a PubMed XML file.

    Raises:
        FileFormatError: For an entity declaration or internal DTD subset, or
            malformed XML (after the records before the error were yielded).
    """
    text = source.text.lstrip("\ufeff")
    declaration = _ENTITY.search(text)
    if declaration:
        raise FileFormatError(_REFUSED, line=text.count("\n", 0, declaration.start()) + 1)
    for line, element in iter_elements(text, _TAGS, refused=_REFUSED, external_doctype=True):
        try:
            record = _article(element) if element.tag == "PubmedArticle" else _book(element)
        except (ValueError, AttributeError) as exc:
            message = f"{element.tag} could not be read ({exc}); skipped"
            yield Parsed(line, None, [ImportIssue(line, message)])
            continue
        yield Parsed(line, record)


FORMAT = Format(
    name="pubmed_xml",
    label="PubMed XML",
    extensions=("xml",),
    sniff=sniff,
    parse=parse,
    database="PubMed",
)
