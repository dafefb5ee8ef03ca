"""Tests for the Emerald Insight results-page importer.

The expectations for the sample page were written out by hand from the page text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import FileFormatError, SourceFile
from peerlit_tui.importers.emerald import FORMAT, parse, sniff
from peerlit_tui.importers.pipeline import finalise_record
from peerlit_tui.model import Provenance, Record
from tests.conftest import SAMPLE_DATA

SAMPLE = SAMPLE_DATA / "emerald_peer_support_results.txt"

MHSI = "Mental Health and Social Inclusion"
JMHTEP = "The Journal of Mental Health Training, Education and Practice"
EMERALD_HEADINGS = [
    "Purpose",
    "Design/methodology/approach",
    "Findings",
    "Originality/value",
]
WITH_PRACTICAL = [
    "Purpose",
    "Design/methodology/approach",
    "Findings",
    "Practical implications",
    "Originality/value",
]

# One entry per record of the sample page, in page order. "first" and "last" are the
# texts of the first and last abstract sections.
EXPECTED: list[dict[str, Any]] = [
    {
        "line": 4,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "The purpose of this service user narrative and viewpoint article is to describe "
        "interprofessional and…",
        "authors": [
            ("Benjamin Thomas Gray", "Gray", "Benjamin Thomas"),
            ("Matthew Sisto", "Sisto", "Matthew"),
            ("Renee Conley", "Conley", "Renee"),
        ],
        "date": "2024-08-22",
        "year": 2024,
        "journal": MHSI,
        # "vol. ahead-of-print no. ahead-of-print": no volume or issue yet.
        "volume": "",
        "issue": "",
        "issn": "2042-8308",
        "teaser": "The purpose of this service user narrative and viewpoint article is to describe "
        "interprofessional and interpersonal barriers to peer support on a men’s mental health "
        "ward over the…",
        "listing_count": None,
        "headings": EMERALD_HEADINGS,
        "first": "The purpose of this service user narrative and viewpoint article is to describe "
        "interprofessional and interpersonal barriers to peer support on a men’s mental health "
        "ward over the course of a year from a lived experience perspective.",
        "last": "Little has been written on this topic in a mental health inpatient setting as "
        "most papers address community peer support work, which is very different from peer "
        "support in hospital. This paper addresses one of the first peer support pilot projects "
        "in hospital of its kind in NHS England so is quite innovative and perhaps even unique.",
    },
    {
        "line": 37,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "The purpose of this service user paper and narrative is to highlight that peer "
        "support is not a continuous…",
        "authors": [
            ("Benjamin Thomas Gray", "Gray", "Benjamin Thomas"),
            ("Matthew Sisto", "Sisto", "Matthew"),
        ],
        "date": "2024-07-03",
        "year": 2024,
        "journal": MHSI,
        # "vol. ahead-of-print no. ahead-of-print": no volume or issue yet.
        "volume": "",
        "issue": "",
        "issn": "2042-8308",
        "teaser": "The purpose of this service user paper and narrative is to highlight that peer "
        "support is not a continuous, easy or uniform process but given to disruption, "
        "fragmentation…",
        "listing_count": None,
        "headings": EMERALD_HEADINGS,
        "first": "The purpose of this service user paper and narrative is to highlight that peer "
        "support is not a continuous, easy or uniform process but given to disruption, "
        "fragmentation, breakdowns in relationships and hurdles. This is illustrated in a "
        "summary of the case of “Christopher”.",
        "last": "There is an abundance of literature and research on peer support in the "
        "community but little in the inpatient setting, making this paper novel and a "
        "contribution to understanding peer support on mental health wards.",
    },
    {
        "line": 70,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "This paper aims to provide a summary of where peer support currently sits in the "
        "UK mental health services…",
        "authors": [("Simon Lawton-Smith", "Lawton-Smith", "Simon")],
        "date": "2013-09-16",
        "year": 2013,
        "journal": JMHTEP,
        "volume": "8",
        "issue": "3",
        "issn": "1755-6228",
        "teaser": "This paper aims to provide a summary of where peer support currently sits in "
        "the UK mental health services policy and practice. It presents an overview of models of "
        "peer support;…",
        "listing_count": 1600,
        "headings": EMERALD_HEADINGS,
        "first": "This paper aims to provide a summary of where peer support currently sits in the "
        "UK mental health services policy and practice. It presents an overview of models of "
        "peer support; the UK national policy on peer support; evidence of the benefits of peer "
        "support; case studies of recent and continuing peer support in action; challenges "
        "facing peer support; and suggestions for developing peer support in the future.",
        "last": "Historically, peer support in mental health services across the UK has developed "
        "piecemeal. But at a time when policy-makers, health practitioners and people who use "
        "mental health services are increasingly recognising the benefits of peer support, this "
        "paper draws key evidence together and provides pointers towards the future development "
        "of such services.",
    },
    {
        "line": 105,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "This paper aims to explore the extensive roots of peer support in mental health, "
        "and to identify the values…",
        "authors": [
            ("Alison Faulkner", "Faulkner", "Alison"),
            ("Thurstine Basset", "Basset", "Thurstine"),
        ],
        "date": "2012-06-15",
        "year": 2012,
        "journal": JMHTEP,
        "volume": "7",
        "issue": "2",
        "issn": "1755-6228",
        "teaser": "This paper aims to explore the extensive roots of peer support in mental "
        "health, and to identify the values and principles that the authors wish to hold onto as "
        "choices are made…",
        "listing_count": 418,
        "headings": WITH_PRACTICAL,
        "first": "This paper aims to explore the extensive roots of peer support in mental health, "
        "and to identify the values and principles that the authors wish to hold onto as "
        "choices are made as to how and whether to engage with formal peer support within the "
        "National Health Service (NHS).",
        "last": "The paper shows that, with an increased interest in providing peer support as "
        "part of mainstream services, it is important to stress the basic values and principles "
        "that underpin informal service\u2010user led peer support.",
    },
    {
        "line": 144,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "This article describes the development of peer support roles and programmes in "
        "Scotland, and includes…",
        "authors": [
            ("Simon Bradstreet", "Bradstreet", "Simon"),
            ("Rebekah Pratt", "Pratt", "Rebekah"),
        ],
        "date": "2010-08-18",
        "year": 2010,
        "journal": MHSI,
        "volume": "14",
        "issue": "3",
        "issn": "2042-8308",
        "teaser": "This article describes the development of peer support roles and programmes in "
        "Scotland, and includes findings from an evaluation of a peer support worker pilot "
        "scheme. The…",
        "listing_count": None,
        "headings": [""],
        "first": "This article describes the development of peer support roles and programmes in "
        "Scotland, and includes findings from an evaluation of a peer support worker pilot "
        "scheme. The evaluation assessed the impact of the pilot on service users, peer support "
        "workers and the wider service system, along with considering the issues involved in "
        "implementing peer support programmes.",
    },
    {
        "line": 163,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "The purpose of this paper is to review current perspectives on peer support in "
        "mental health informed by…",
        "authors": [
            ("Alison Faulkner", "Faulkner", "Alison"),
            ("Thurstine Basset", "Basset", "Thurstine"),
        ],
        "date": "2012-02-24",
        "year": 2012,
        "journal": MHSI,
        "volume": "16",
        "issue": "1",
        "issn": "2042-8308",
        # This teaser is a whole sentence, so the page shows it without an ellipsis.
        "teaser": "The purpose of this paper is to review current perspectives on peer support in "
        "mental health informed by service user perspectives.",
        "listing_count": 1309,
        "headings": WITH_PRACTICAL,
        "first": "The purpose of this paper is to review current perspectives on peer support in "
        "mental health informed by service user perspectives.",
        "last": "Recent developments mean that peer support, which originated from the grassroots "
        "of service user experience, has taken a new direction through becoming incorporated "
        "into statutory services. This paper looks at some of the benefits and pitfalls of "
        "these developments informed by the views of service users.",
    },
    {
        "line": 202,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "The purpose of this paper is to provide an overview of the implementation of a "
        "peer support volunteer scheme…",
        "authors": [
            ("Tori Wolfendale", "Wolfendale", "Tori"),
            ("Angella Musaabi", "Musaabi", "Angella"),
        ],
        "date": "2017-08-14",
        "year": 2017,
        "journal": MHSI,
        "volume": "21",
        "issue": "4",
        "issn": "2042-8308",
        "teaser": "The purpose of this paper is to provide an overview of the implementation of a "
        "peer support volunteer scheme in a high secure setting and to explore the peer support "
        "volunteer’s…",
        "listing_count": None,
        "headings": WITH_PRACTICAL,
        "first": "The purpose of this paper is to provide an overview of the implementation of a "
        "peer support volunteer scheme in a high secure setting and to explore the peer support "
        "volunteer’s experiences conducting this role, based predominantly on an assertive "
        "rehabilitation ward.",
        "last": "The paper relating to the implementation of the peer support volunteer scheme in "
        "a high secure setting has not been published before and is not under consideration for "
        "publication with another journal.",
    },
    {
        "line": 239,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "This paper aims to explain how the CAPITAL Project Trust established an "
        "inpatient peer support project in…",
        "authors": [("Claire Ockwell", "Ockwell", "Claire")],
        "date": "2012-06-15",
        "year": 2012,
        "journal": JMHTEP,
        "volume": "7",
        "issue": "2",
        "issn": "1755-6228",
        "teaser": "This paper aims to explain how the CAPITAL Project Trust established an "
        "inpatient peer support project in West Sussex.",
        "listing_count": 419,
        "headings": EMERALD_HEADINGS,
        "first": "This paper aims to explain how the CAPITAL Project Trust established an "
        "inpatient peer support project in West Sussex.",
        "last": "The paper shows that the project demonstrates the value that can be added by "
        "independent peer support workers being placed on acute inpatient wards and the "
        "importance for service users of peer support being peer led.",
    },
    {
        "line": 274,
        "type": "article",
        "type_detail": "Research Article",
        "content_type": "Article",
        "title": "In April 2010, Nottinghamshire Healthcare NHS trust won Regional Innovation "
        "Funding to recruit, train and…",
        "authors": [
            ("Julie Repper", "Repper", "Julie"),
            ("Emma Watson", "Watson", "Emma"),
        ],
        "date": "2012-06-15",
        "year": 2012,
        "journal": JMHTEP,
        "volume": "7",
        "issue": "2",
        "issn": "1755-6228",
        "teaser": "In April 2010, Nottinghamshire Healthcare NHS trust won Regional Innovation "
        "Funding to recruit, train and employ six peer support workers in community mental "
        "health teams. At the…",
        "listing_count": 506,
        "headings": EMERALD_HEADINGS,
        "first": "In April 2010, Nottinghamshire Healthcare NHS trust won Regional Innovation "
        "Funding to recruit, train and employ six peer support workers in community mental "
        "health teams. At the time, practical examples of the employment of peer support workers "
        "were lacking in England. An earlier paper focuses on the lessons learned in this first "
        "year of peer support. The aim of this paper is to examine the nature and dynamics of "
        "peer support: what the peers did with clients and what difference this made.",
        "last": "In the absence of English service models for peer support workers, this paper "
        "provides some guidance for new peer support teams, and some evidence to support the "
        "helpful nature of peer support work.",
    },
    {
        "line": 309,
        "type": "book part",
        "type_detail": "Book part",
        "content_type": "Book part",
        "title": "Lived experience has increasingly been incorporated into service delivery across "
        "health and social care…",
        "authors": [("Daryl Mahon", "Mahon", "Daryl")],
        "date": "2024-05-22",
        "year": 2024,
        "journal": "",
        "volume": "",
        "issue": "",
        "issn": "",
        "teaser": "Lived experience has increasingly been incorporated into service delivery "
        "across health and social care settings. One of the methods used to do this is through the "
        "provision of…",
        "listing_count": None,
        "headings": [""],
        "first": "Lived experience has increasingly been incorporated into service delivery across "
        "health and social care settings. One of the methods used to do this is through the "
        "provision of peer support work. While many people will have lived experience of an "
        "issue, condition and may even work in services, peers are markedly different insofar "
        "as they are employed specifically because they are using this lived experience to "
        "explicitly inform their way of providing an intervention. As we will see throughout "
        "this book, peers are not a homogenous group; however, they do use some of the same "
        "processes to engage and offer support to people with a variety of health and social "
        "vulnerabilities. This chapter contextualises these issues before delving into further "
        "chapters authored and co-authored by those with lived experience across multiple areas "
        "of peer support work.",
    },
]


def _source(text: str, name: str = "page.txt") -> SourceFile:
    return SourceFile.from_bytes(Path(name), text.encode("utf-8"))


def _write(tmp_path: Path, text: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_records() -> list[Record]:
    result = read_file(SAMPLE)
    assert result.error is None
    assert result.issues == []
    return result.records


def test_sample_is_sniffed_as_emerald_and_gives_ten_records() -> None:
    result = read_file(SAMPLE)
    assert result.format == "emerald"
    assert result.encoding == "utf-8"
    assert len(result.records) == 10


@pytest.mark.parametrize("index", range(10))
def test_sample_record_fields(sample_records: list[Record], index: int) -> None:
    want = EXPECTED[index]
    record = sample_records[index]
    assert record.type == want["type"]
    assert record.type_detail == want["type_detail"]
    assert record.extra == {"content_type": want["content_type"]}
    assert record.title == want["title"]
    assert record.title_derived is True
    assert [(a.name, a.family, a.given, a.inverted) for a in record.authors] == [
        (name, family, given, False) for name, family, given in want["authors"]
    ]
    assert record.date == want["date"]
    assert record.year == want["year"]
    assert record.journal == want["journal"]
    assert record.volume == want["volume"]
    assert record.issue == want["issue"]
    assert record.pages == ""
    assert record.issn == want["issn"]
    assert record.isbn == ""
    assert record.doi == ""
    assert record.url == ""
    assert record.publisher == ""
    assert record.language == ""
    assert record.keywords == []
    assert record.teaser == want["teaser"]
    assert record.listing_count == want["listing_count"]
    assert [s.heading for s in record.abstract] == want["headings"]
    assert record.abstract[0].text == want["first"]
    assert record.abstract[-1].text == want.get("last", want["first"])
    assert len(record.sources) == 1
    source = record.sources[0]
    assert source.format == "emerald"
    assert source.database == "Emerald Insight"
    assert source.line == want["line"]
    assert source.file == str(SAMPLE.resolve())


def test_sample_full_abstract_of_first_record(sample_records: list[Record]) -> None:
    sections = [(s.heading, s.key, s.text) for s in sample_records[0].abstract]
    assert sections == [
        (
            "Purpose",
            "purpose",
            "The purpose of this service user narrative and viewpoint article is to describe "
            "interprofessional and interpersonal barriers to peer support on a men’s mental health "
            "ward over the course of a year from a lived experience perspective.",
        ),
        (
            "Design/methodology/approach",
            "design",
            "A reflective journal was kept and participant observation was conducted over the "
            "course of the year.",
        ),
        (
            "Findings",
            "findings",
            "There is sometimes a fissure and binary of “Us” and “Them” on the ward. In other "
            "words, staff can sometimes perceive peer support workers to be “one of us” (a member "
            "of staff) or “one of them” (a service user). For service users, the opposite is "
            "sometimes true: “one of us” (a service user) or “one of them” (a member of staff). "
            "Peer support workers must bridge this gap and strive to be “one of us” with both "
            "these groups, which is no easy task. A good ward manager or peer team leader can "
            "smooth over interprofessional differences and support the peer worker in their "
            "efforts of care towards the recovery of people with mental health problems.",
        ),
        (
            "Originality/value",
            "originality",
            "Little has been written on this topic in a mental health inpatient setting as most "
            "papers address community peer support work, which is very different from peer "
            "support in hospital. This paper addresses one of the first peer support pilot "
            "projects in hospital of its kind in NHS England so is quite innovative and perhaps "
            "even unique.",
        ),
    ]


def test_sample_full_abstract_of_sixth_record(sample_records: list[Record]) -> None:
    record = sample_records[5]
    assert [s.key for s in record.abstract] == [
        "purpose",
        "design",
        "findings",
        "implications",
        "originality",
    ]
    assert record.abstract[1].text == (
        "The paper is informed by a literature review and consultations with five groups of "
        "service users engaged in different forms of peer support."
    )
    assert record.abstract[2].text == (
        "The findings suggest that there are many benefits to service users from engaging in "
        "peer support. These include: shared identity; development and sharing of skills; "
        "increased confidence; improved mental health and wellbeing; and the potential for "
        "challenging stigma and discrimination. Most difficulties encountered were associated "
        "with “intentional peer support”, where service users are employed as peer support "
        "workers – these included role conflict, setting boundaries, and ensuring adequate "
        "training and support. A key theme that divided opinion was the degree to which peer "
        "support should be “professionalised” as part of statutory services."
    )
    assert record.abstract[3].text == (
        "The findings suggest that it is vital to acknowledge the different views about peer "
        "support that arise in different service user and voluntary sector groups: views about "
        "such core issues as payment, equality, and professionalisation. Ultimately, peer "
        "support arises from people wanting to create their own support networks; any plans to "
        "formalise it from within statutory services need to acknowledge that pre\u2010existing "
        "grassroots expertise."
    )


def test_sample_ids_are_distinct_and_stable(sample_records: list[Record]) -> None:
    ids = [r.id for r in sample_records]
    assert len(set(ids)) == 10
    assert [r.id for r in read_file(SAMPLE).records] == ids
    # The two Faulkner & Basset papers share authors but not year or title.
    assert sample_records[3].id != sample_records[5].id


def test_format_object() -> None:
    assert FORMAT.name == "emerald"
    assert FORMAT.label == "Emerald Insight results page"
    assert FORMAT.extensions == ("txt",)
    assert FORMAT.database == "Emerald Insight"


def test_two_pages_pasted_one_after_another(tmp_path: Path) -> None:
    first = _sample_text()
    second = first.replace("1 – 10 of over 73000", "11 – 20 of over 73000").replace("\n", "\r\n")
    assert "11 – 20 of over 73000\r\n" in second
    path = _write(tmp_path, first + "\n" + second)
    result = read_file(path)
    assert result.error is None
    assert result.issues == []
    assert len(result.records) == 20
    assert [r.id for r in result.records[10:]] == [r.id for r in result.records[:10]]
    # The first page has 320 lines (its footer has no newline before the join).
    assert [r.sources[0].line for r in result.records[10:]] == [
        320 + want["line"] for want in EXPECTED
    ]
    assert result.records[12].listing_count == 1600
    assert result.records[19].type == "book part"
    assert result.records[19].journal == ""


SYNTHETIC = """Search results

1 - 2 of 2
Article
Peer support on acute wards:
a narrative review
Publication date: August 2023

Jane Q. Public and John van der Berg

Peer support workers on acute wards face barriers…

42

Abstract

Purpose

To review barriers.

Findings

Barriers are common.

Second paragraph of findings.

Details

Journal of Ward Practice, Health and Care, vol. 12 no. 3, pp. 101–119
Type: Literature Review
ISSN: 1234-5678
DOI: 10.1108/JWP-01-2023-0001

Keywords

Peer support; Mental health
Inpatient care, Recovery
Chapter
Peer workers in forensic settings
Publication date: 5 March 2021

Ann Lee

This chapter describes peer work in forensic services...

Abstract

This chapter describes peer work in forensic services. It draws on interviews.

Article 5 of the Human Rights Act is discussed.

Details

Peer Support in Forensic Mental Health (Studies in Forensic Care)
ISBN: 978-1-80071-234-5
eISBN: 978-1-80071-233-8
https://doi.org/10.1108/978-1-80071-233-820211005

Keywords

Forensic care
Case study
1 - 2 of 2"""


def test_titles_keywords_doi_pages_and_book_chapter(tmp_path: Path) -> None:
    result = read_file(_write(tmp_path, SYNTHETIC))
    assert result.format == "emerald"
    assert result.issues == []
    assert len(result.records) == 2
    article, chapter = result.records

    assert article.sources[0].line == 4
    assert article.type == "article"
    assert article.type_detail == "Literature Review"
    assert article.extra == {"content_type": "Article"}
    assert article.title == "Peer support on acute wards: a narrative review"
    assert article.title_derived is False
    assert [(a.name, a.family, a.given) for a in article.authors] == [
        ("Jane Q. Public", "Public", "Jane Q."),
        ("John van der Berg", "van der Berg", "John"),
    ]
    assert article.date == "2023-08"
    assert article.year == 2023
    assert article.journal == "Journal of Ward Practice, Health and Care"
    assert article.volume == "12"
    assert article.issue == "3"
    assert article.pages == "101-119"
    assert article.issn == "1234-5678"
    assert article.doi == "10.1108/jwp-01-2023-0001"
    assert article.id == "10.1108/jwp-01-2023-0001"
    assert article.keywords == ["Peer support", "Mental health", "Inpatient care", "Recovery"]
    assert article.teaser == "Peer support workers on acute wards face barriers…"
    assert article.listing_count == 42
    assert [(s.heading, s.key, s.text) for s in article.abstract] == [
        ("Purpose", "purpose", "To review barriers."),
        ("Findings", "findings", "Barriers are common.\n\nSecond paragraph of findings."),
    ]

    assert chapter.sources[0].line == 38
    assert chapter.type == "chapter"
    assert chapter.type_detail == "Chapter"
    assert chapter.extra == {"content_type": "Chapter"}
    assert chapter.title == "Peer workers in forensic settings"
    assert chapter.title_derived is False
    assert [(a.name, a.family, a.given) for a in chapter.authors] == [("Ann Lee", "Lee", "Ann")]
    assert chapter.date == "2021-03-05"
    assert chapter.year == 2021
    assert chapter.journal == "Peer Support in Forensic Mental Health (Studies in Forensic Care)"
    assert chapter.volume == chapter.issue == chapter.pages == chapter.issn == ""
    assert chapter.isbn == "978-1-80071-234-5, 978-1-80071-233-8"
    assert chapter.doi == "10.1108/978-1-80071-233-820211005"
    # "Case study" here is a keyword, not the start of another record.
    assert chapter.keywords == ["Forensic care", "Case study"]
    assert chapter.teaser == "This chapter describes peer work in forensic services..."
    assert chapter.listing_count is None
    # A paragraph that begins with "Article" stays in the abstract.
    assert [(s.heading, s.text) for s in chapter.abstract] == [
        (
            "",
            "This chapter describes peer work in forensic services. It draws on interviews."
            "\n\nArticle 5 of the Human Rights Act is discussed.",
        )
    ]


def test_other_content_types_and_dates() -> None:
    text = (
        "Case study\nPublication date: 2019\n\nA teaser about a case…\n\n"
        "Earlycite article\nPublication date: 1 Jan 2025\n\nAnother teaser…\n\n"
        "Conference paper\nPublication date: 3 March 2020\n\nA third teaser…\n\n"
        "Interview\nPublication date: 12 May 2018\n\nA fourth teaser…\n"
    )
    results = list(parse(_source(text)))
    records = [p.record for p in results]
    assert all(r is not None for r in records)
    assert [(r.type, r.type_detail, r.date, r.year) for r in records if r] == [
        ("case study", "Case study", "2019", 2019),
        ("article", "Earlycite article", "2025-01-01", 2025),
        ("conference paper", "Conference paper", "2020-03-03", 2020),
        ("other", "Interview", "2018-05-12", 2018),
    ]
    assert [p.line for p in results] == [1, 6, 11, 16]
    # No authors line: the single paragraph is the teaser.
    assert records[0] is not None
    assert records[0].teaser == "A teaser about a case…"
    assert all(r.authors == [] for r in records if r)


def test_unreadable_publication_date_is_a_warning() -> None:
    text = "Article\nPublication date: sometime in 2021\n\nA. Author\n\nA teaser…\n1 – 1 of 1"
    (parsed,) = list(parse(_source(text)))
    assert parsed.record is not None
    assert parsed.record.date == "2021"
    assert parsed.record.extra["publication_date"] == "sometime in 2021"
    assert [(i.line, i.skipped) for i in parsed.issues] == [(2, False)]
    assert "sometime in 2021" in parsed.issues[0].message


def test_hostile_author_line_is_cleaned_and_markup_kept(tmp_path: Path) -> None:
    text = (
        "Article\nPublication date: 1 May 2020\n\n"
        "Jane Doe\x1b]52;c;SGVsbG8=\x07, [bold]x[/] Smith and Bob Jones\n\n"
        "A teaser with [red]markup[/red]…\n\nAbstract\n\nPlain abstract text.\n"
    )
    result = read_file(_write(tmp_path, text))
    assert result.format == "emerald"
    (record,) = result.records
    assert [a.name for a in record.authors] == ["Jane Doe", "[bold]x[/] Smith", "Bob Jones"]
    assert record.authors[1].family == "Smith"
    assert record.authors[1].given == "[bold]x[/]"
    for author in record.authors:
        for value in (author.name, author.family, author.given):
            assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value)
            assert "SGVsbG8" not in value
    assert record.teaser == "A teaser with [red]markup[/red]…"


def test_page_cut_mid_abstract_keeps_what_was_read(tmp_path: Path) -> None:
    text = _sample_text()
    cut = text.index("demonstrating the benefits of peer support in mental health")
    result = read_file(_write(tmp_path, text[:cut]))
    assert result.error is None
    assert len(result.records) == 3
    last = result.records[2]
    assert [s.heading for s in last.abstract] == [
        "Purpose",
        "Design/methodology/approach",
        "Findings",
    ]
    assert last.abstract[-1].text == "The evidence base"
    assert last.journal == ""
    assert [(i.line, i.skipped) for i in result.issues] == [(70, False)]
    assert "cut off" in result.issues[0].message


def test_page_cut_after_author_line_reports_the_record(tmp_path: Path) -> None:
    text = _sample_text()
    cut = text.index("Smith\n\nThis paper aims to provide")
    result = read_file(_write(tmp_path, text[:cut]))
    assert len(result.records) == 2
    assert [(i.line, i.skipped) for i in result.issues] == [(70, True)]
    assert "line 70" in result.issues[0].message


def test_garbage_and_a_record_without_date_between_records(tmp_path: Path) -> None:
    lines = _sample_text().split("\n")
    # The first record's "Keywords" is line 35, followed by a blank line 36.
    assert lines[34] == "Keywords"
    assert lines[35] == ""
    junk = [
        "%%%% #### @@@@",
        "\x00\x1f",
        "Article",
        "",
        "Someone Else",
        "",
        "A record whose date line was lost…",
        "",
        "Details",
        "",
        "Junk Journal, vol. 1 no. 1",
        "Type: Research Article",
        "",
    ]
    text = "\n".join([*lines[:36], *junk, *lines[36:]])
    result = read_file(_write(tmp_path, text))
    assert result.error is None
    assert len(result.records) == 10
    assert [r.sources[0].line for r in result.records] == [4] + [
        want["line"] + len(junk) for want in EXPECTED[1:]
    ]
    assert result.records[0].keywords == []
    assert result.records[0].journal == MHSI
    assert result.records[1].authors[0].name == "Benjamin Thomas Gray"
    assert [(i.line, i.skipped) for i in result.issues] == [
        (37, False),
        (38, False),
        (39, True),
    ]
    assert "line 39" in result.issues[2].message
    assert "Publication date" in result.issues[2].message


def test_record_without_date_but_with_abstract_is_kept_with_a_warning() -> None:
    text = (
        "Article\nPublication date: 1 May 2020\n\nAnn Lee\n\nFirst teaser…\n\n"
        "Abstract\n\nFirst abstract.\n\nDetails\n\nJournal A, vol. 1 no. 2\n\nKeywords\n\n"
        "Peer support\n"
        "Article\n\nBob Ray\n\nSecond teaser…\n\nAbstract\n\nSecond abstract.\n\n"
        "Details\n\nJournal B, vol. 3 no. 4\n"
    )
    results = list(parse(_source(text)))
    assert [p.line for p in results] == [1, 19]
    first, second = (p.record for p in results)
    assert first is not None and second is not None
    assert first.keywords == ["Peer support"]
    assert first.journal == "Journal A"
    assert second.date == ""
    assert [a.name for a in second.authors] == ["Bob Ray"]
    assert second.journal == "Journal B"
    assert second.volume == "3"
    assert second.abstract[0].text == "Second abstract."
    assert results[0].issues == []
    assert [(i.line, i.skipped) for i in results[1].issues] == [(19, False)]


def test_text_before_the_first_record_is_reported() -> None:
    text = "Search results\n\nsome stray words\n1 – 1 of 1\nArticle\nPublication date: 2020\n\nT…\n"
    results = list(parse(_source(text)))
    assert results[0].record is None
    assert [(i.line, i.skipped) for i in results[0].issues] == [(3, False)]
    assert results[1].record is not None
    assert results[1].line == 5


def test_no_publication_date_at_all_is_a_file_error() -> None:
    with pytest.raises(FileFormatError):
        list(parse(_source("Search results\n\n1 – 10 of 20\nArticle\nNothing else here.\n")))


def test_sniff_scores() -> None:
    assert sniff(_source(_sample_text())) >= 0.8
    header_only = sniff(_source("Search results\n\n1 – 10 of over 73000\n"))
    assert 0.3 <= header_only < 0.8
    assert sniff(_source("Publication date: 3 July 2024\nsomething\n")) < 0.8
    assert sniff(_source("Just some notes about peer support.\nAbstract thoughts.\n")) == 0.0
    assert sniff(_source("")) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nTI  - Peer support\nAB  - Abstract\nDA  - 2024\nER  - \n",
        "PMID- 123\nTI  - Peer support\nAB  - Purpose\nDP  - 2024 Aug 22\n",
        "@article{gray2024,\n  title = {Peer support},\n  note = {Publication date: 2024}\n}\n",
        "Title,Authors,Publication date,Abstract\nPeer support,Gray,2024,Abstract text\n",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Peer support\nER\n",
    ],
)
def test_sniff_rejects_other_formats(text: str) -> None:
    assert sniff(_source(text)) == 0.0


def test_empty_publication_date_is_a_warning() -> None:
    text = "Article\nPublication date:\n\nA teaser…\n\nDetails\n\nJournal C, vol. 2 no. 1\n"
    (parsed,) = list(parse(_source(text)))
    assert parsed.record is not None
    assert parsed.record.date == ""
    assert parsed.record.year is None
    assert parsed.record.journal == "Journal C"
    assert [(i.line, i.skipped) for i in parsed.issues] == [(2, False)]
    assert "no date" in parsed.issues[0].message


_FUZZ_LINES = [
    "Article",
    "Book part",
    "Case study",
    "Publication date: 3 July 2024",
    "Publication date:",
    "Publication date: 31 Smarch 2024",
    "Abstract",
    "Details",
    "Keywords",
    "Keywords: a; b",
    "Purpose",
    "Findings",
    "",
    "",
    "1 – 10 of over 73000",
    "Search results",
    "Jane Doe and Bob Ray",
    "A teaser…",
    "1600",
    "Journal, vol. 1 no. 2, pp. 3-4",
    ", vol.",
    "Type: Research Article",
    "ISSN: 1234-5678",
    "DOI: 10.1108/x",
    "\x1b]52;c;SGVsbG8=\x07",
    "%%%%",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_FUZZ_LINES), st.text(max_size=30)),
        max_size=60,
    )
)
def test_parse_never_crashes(lines: list[str]) -> None:
    text = "\n".join(lines).replace("\r", "")
    source = _source(text)
    sniff(source)
    try:
        results = list(parse(source))
    except FileFormatError:
        # Only a text without any "Publication date:" line is refused as a whole.
        assert not re.search(r"(?im)^\s*publication date\s*:", text)
        return
    line_count = text.count("\n") + 1
    for parsed in results:
        assert 1 <= parsed.line <= line_count
        if parsed.record is None:
            assert parsed.issues
        else:
            finalise_record(parsed.record, Provenance(file="x", format="emerald"))
