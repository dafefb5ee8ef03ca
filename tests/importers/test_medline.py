from __future__ import annotations

import codecs
from pathlib import Path

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.medline import FORMAT, parse, sniff


def _source(text: str) -> SourceFile:
    return SourceFile.from_bytes(Path("x.nbib"), text.encode("utf-8"))


def test_pubmed_nbib_fields(fixtures: Path) -> None:
    result = read_file(fixtures / "medline" / "manubot_bibliography.nbib")
    assert result.format == "medline" and result.issues == []
    scihub, workflows = result.records
    assert scihub.title == "Sci-Hub provides access to nearly all scholarly literature."
    # FAU (full names) preferred to AU ("Himmelstein DS").
    assert scihub.authors[0].name == "Himmelstein, Daniel S"
    assert (scihub.authors[0].family, scihub.authors[0].given) == ("Himmelstein", "Daniel S")
    assert scihub.authors[5].family == "Greshake Tzovaras"
    assert (scihub.date, scihub.year) == ("2018-03-01", 2018)  # "2018 Mar 1"
    assert scihub.journal == "eLife"  # JT preferred to TA
    assert scihub.extra["journal_abbreviation"] == "Elife"
    assert scihub.issn == "2050-084X"  # Electronic and Linking are the same number
    assert scihub.doi == "10.7554/elife.32822"  # from "LID - ... [doi]", not the [pii]
    assert scihub.language == "English"  # "eng"
    assert scihub.keywords[:3] == ["LibGen", "Sci-Hub", "copyright"]
    assert scihub.extra["pmid"] == "29424689"
    assert scihub.extra["pmcid"] == "PMC5832410"
    assert scihub.url == "https://pubmed.ncbi.nlm.nih.gov/29424689/"
    # A continuation line split a URL inside the abstract; lines join with a space.
    assert "allows users to explore these findings" in scihub.abstract_text
    assert scihub.sources[0].line == 1

    assert workflows.date == "2017-04"
    assert (workflows.volume, workflows.issue, workflows.pages) == ("35", "4", "342-346")
    assert workflows.issn == "1546-1696, 1087-0156"
    assert workflows.type == "article"
    assert workflows.type_detail.startswith("Journal Article; Research Support")
    # MeSH headings without the major-topic star and subheadings.
    assert "Computational Biology" in workflows.keywords
    assert "Machine Learning" in workflows.keywords
    assert workflows.sources[0].line == 94


def test_structured_abstract_review_type_and_collective_author(fixtures: Path) -> None:
    result = read_file(fixtures / "medline" / "synthetic.nbib")
    review, pilot = result.records
    assert review.type == "review"  # Systematic Review outranks Journal Article
    assert review.title == (
        "Peer-delivered interventions for depression in primary care: a systematic "
        "review and meta-analysis."
    )
    assert [s.key for s in review.abstract] == ["background", "methods", "results", "conclusions"]
    assert review.abstract[1].text == (
        "We searched five databases for randomised trials of peer-delivered interventions."
    )
    assert [a.name for a in review.authors] == [
        "Müller, Jörg",
        "van der Berg, Anna Maria",
        "Peer Support Trialists Collaboration",
    ]
    assert review.authors[1].family == "van der Berg"
    assert review.authors[2].family == "Peer Support Trialists Collaboration"
    assert review.issn == "1234-5678, 8765-4321"
    assert review.pages == "101-12"
    assert review.keywords == ["peer support", "primary care", "Depression", "Humans", "Peer Group"]
    assert review.sources[0].line == 2  # the file opens with a blank line

    assert pilot.date == "2015" and pilot.year == 2015  # "2015 Winter"
    assert pilot.doi == "10.1000/an.2015.9"  # from AID
    assert pilot.language == "French"


def test_garbage_line_is_reported_with_its_line_and_the_rest_imported(fixtures: Path) -> None:
    result = read_file(fixtures / "medline" / "synthetic.nbib")
    assert len(result.records) == 2
    (issue,) = result.issues
    assert issue.line == 46 and not issue.skipped
    assert "THIS LINE IS NOT MEDLINE" in issue.message
    assert result.records[1].journal == "Anxiety Notes"  # tags after the bad line still read


def test_crlf_and_bom(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "medline" / "synthetic.nbib").read_text(encoding="utf-8")
    path = tmp_path / "crlf.nbib"
    path.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"))
    result = read_file(path)
    assert result.format == "medline"
    assert [r.title for r in result.records] == [
        r.title for r in read_file(fixtures / "medline" / "synthetic.nbib").records
    ]
    assert result.records[0].authors[0].name == "Müller, Jörg"
    assert [i.line for i in result.issues] == [46]


def test_records_without_pmid_are_split_at_blank_lines() -> None:
    text = (
        "TI  - First title\nFAU - Doe, Jane\nDP  - 2001\n\n"
        "TI  - Second title\n      continued\nDP  - 2002 Feb\n"
    )
    parsed = list(parse(_source(text)))
    assert [(p.line, p.record.title if p.record else None) for p in parsed] == [
        (1, "First title"),
        (5, "Second title continued"),
    ]
    assert parsed[1].record is not None and parsed[1].record.date == "2002-02"


def test_sniff_separates_medline_from_ris(fixtures: Path) -> None:
    assert sniff(SourceFile.read(fixtures / "medline" / "synthetic.nbib")) >= 0.9
    assert sniff(SourceFile.read(fixtures / "ris" / "manubot_bibliography.ris")) == 0
    assert sniff(SourceFile.read(fixtures / "ris" / "synthetic_quirks.ris")) == 0
    assert sniff(SourceFile.read(fixtures / "wos" / "synthetic.txt")) == 0
    no_pmid = _source("TI  - A\nFAU - Doe, Jane\nOWN - NLM\nSTAT- MEDLINE\n")
    assert sniff(no_pmid) >= 0.8
    assert FORMAT.database == "PubMed"


def test_shared_medline_files_match_readme_counts(shared_data: Path) -> None:
    counts = {
        "metaknowledge/medline_test.medline": 175,
        "reflib_node/cancer.nbib": 20,
        "manubot/same_refs_4_formats/bibliography.nbib": 2,
    }
    for relative, expected in counts.items():
        result = read_file(shared_data / relative)
        assert result.format == "medline", relative
        assert len(result.records) == expected, relative
        assert result.issues == [], relative
        assert all(r.extra.get("pmid") for r in result.records), relative
    cancer = read_file(shared_data / "reflib_node" / "cancer.nbib").records[0]
    assert cancer.date == "2016-05-28"
    assert cancer.doi == "10.1002/cam4.747"


# --- how PubMed and JabRef separate entries ------------------------------------------


def _titles(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.record.title) for p in parse(_source(text)) if p.record is not None]


def test_entries_separated_by_blank_lines_and_pmid_not_first() -> None:
    text = (
        "OWN - NLM\nPMID- 1\nTI  - One\n\n\n"
        "OWN - NLM\nPMID- 2\nTI  - Two\n\n"
        "STAT- MEDLINE\nPMID- 3\nTI  - Three\n"
    )
    assert _titles(text) == [(1, "One"), (6, "Two"), (10, "Three")]


def test_entries_with_no_blank_lines_between_them() -> None:
    # Five records back to back, each starting with OWN rather than PMID.
    text = "".join(f"OWN - NLM\nPMID- {n}\nTI  - Title {n}\nDP  - 200{n}\n" for n in range(1, 6))
    assert _titles(text) == [(1 + 4 * i, f"Title {i + 1}") for i in range(5)]


def test_entries_with_no_blank_lines_starting_with_pmid() -> None:
    text = "PMID- 1\nTI  - A\nAU  - Doe J\nAU  - Roe K\nPMID- 2\nTI  - B\n"
    assert _titles(text) == [(1, "A"), (5, "B")]


def test_file_not_starting_with_pmid() -> None:
    text = "TI  - Only title\nPMID- 7\nDP  - 2010\n"
    parsed = [p.record for p in parse(_source(text))]
    assert len(parsed) == 1 and parsed[0] is not None
    assert (parsed[0].title, parsed[0].extra["pmid"], parsed[0].year) == ("Only title", "7", 2010)


def test_doi_from_aid_lid_and_doi_prefix() -> None:
    aid = (
        "PMID- 1\nTI  - A\nAID - S0140-6736(20)30183-5 [pii]\n"
        "AID - 10.1016/S0140-6736(20)30183-5 [doi]\n"
    )
    lid = "PMID- 2\nTI  - B\nLID - 10.1000/xyz.2 [doi]\n"
    prefixed = "PMID- 3\nTI  - C\nLID - doi:10.1000/xyz.3\n"
    in_source = "PMID- 4\nTI  - D\nSO  - J Test. 2020;1:2. doi: 10.1000/xyz.4.\n"
    records = [p.record for p in parse(_source("\n".join((aid, lid, prefixed, in_source))))]
    assert [r.doi for r in records if r is not None] == [
        "10.1016/S0140-6736(20)30183-5", "10.1000/xyz.2", "10.1000/xyz.3", "10.1000/xyz.4"
    ]  # fmt: skip


def test_tag_without_space_and_repeated_title_and_abstract_lines() -> None:
    text = (
        "PMID- 9\nTI  -A title written\nTI  - in two lines\n"
        "AB  -BACKGROUND: First part.\nAB  - CONCLUSIONS: Second part.\n"
    )
    (parsed,) = list(parse(_source(text)))
    assert parsed.record is not None and not parsed.issues
    assert parsed.record.title == "A title written in two lines"
    assert [s.key for s in parsed.record.abstract] == ["background", "conclusions"]


def test_blank_line_inside_a_wrapped_value_does_not_split_the_record() -> None:
    text = "PMID- 1\nTI  - A\nAB  - First sentence.\n\n      Second sentence.\nDP  - 2001\n"
    (parsed,) = list(parse(_source(text)))
    assert parsed.record is not None
    assert parsed.record.year == 2001
    assert "Second sentence." in parsed.record.abstract_text


def test_pmid_without_space_and_doi_prefixed_aid() -> None:
    # The layout of JabRef's MEDLINE DOI test file.
    (parsed,) = list(
        parse(
            _source("PMID-22664220\nPT  - Technical Report\nAID - doi:10.1016/j.cpr.2005.02.002\n")
        )
    )
    assert parsed.record is not None and not parsed.issues
    assert (parsed.record.extra["pmid"], parsed.record.doi, parsed.record.type) == (
        "22664220", "10.1016/j.cpr.2005.02.002", "report"
    )  # fmt: skip
