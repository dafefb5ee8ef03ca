from __future__ import annotations

from pathlib import Path

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.proquest import FORMAT, sniff


def test_proquest_journal_article_fields(fixtures: Path) -> None:
    result = read_file(fixtures / "proquest" / "synthetic.txt")
    assert result.format == "proquest"
    article = result.records[0]
    assert article.title == "Peer support and loneliness among older adults"
    assert [(a.family, a.given) for a in article.authors] == [
        ("Okafor", "Chinedu"),
        ("Lindqvist", "Astrid M"),
    ]
    assert article.type == "article" and article.type_detail == "Journal Article"
    assert article.journal == "Journal of Ageing and Mental Health"
    assert (article.volume, article.issue, article.pages) == ("14", "2", "77-89")
    assert (article.date, article.year) == ("2019-03", 2019)
    assert article.issn == "1234-5679"
    assert article.doi == "10.1000/jamh.2019.077"
    assert article.url == "https://www.proquest.com/docview/100000001?accountid=1"
    assert article.language == "English"
    assert article.publisher == "Example Academic Press"
    # Identifier keywords first, then subjects; repeats in other case dropped.
    assert article.keywords == ["peer support", "loneliness", "Older people"]
    assert article.extra["accession"] == "100000001"
    assert article.extra["database"] == "APA PsycInfo"
    assert article.sources[0].line == 24


def test_multi_paragraph_structured_abstract_is_one_field_split_in_sections(
    fixtures: Path,
) -> None:
    article = read_file(fixtures / "proquest" / "synthetic.txt").records[0]
    # "Methods:" etc. start paragraphs but are not ProQuest labels: they stay in
    # the abstract, which is then split into its sections.
    assert [s.key for s in article.abstract] == ["background", "methods", "results", "conclusions"]
    assert article.abstract[2].text == "Loneliness scores fell by 15%."


def test_thesis_and_reported_problems(fixtures: Path) -> None:
    result = read_file(fixtures / "proquest" / "synthetic.txt")
    assert len(result.records) == 2
    thesis = result.records[1]
    assert thesis.type == "thesis"
    assert thesis.publisher == "University of Example"  # the awarding university
    assert thesis.isbn == "9781303940095"
    assert thesis.year == 2014  # degree date
    assert thesis.extra["degree"] == "Ph.D."
    # Document 3 is missing from the file; document 4 has no fields. The trailing
    # Bibliography section is not read as a document.
    gap, empty = result.issues
    assert (gap.line, gap.skipped) == (108, False) and "document 3 of 4 missing" in gap.message
    assert (empty.line, empty.skipped) == (108, True)


def test_crlf(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "proquest" / "synthetic.txt").read_text(encoding="utf-8")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    result = read_file(path)
    expected = read_file(fixtures / "proquest" / "synthetic.txt")
    assert [r.to_dict() | {"sources": []} for r in result.records] == [
        r.to_dict() | {"sources": []} for r in expected.records
    ]


def test_sniff(fixtures: Path) -> None:
    assert sniff(SourceFile.read(fixtures / "proquest" / "synthetic.txt")) >= 0.9
    for other in ("ris/synthetic_quirks.ris", "medline/synthetic.nbib", "wos/synthetic.txt"):
        assert sniff(SourceFile.read(fixtures / other)) == 0, other
    assert FORMAT.extensions == ("txt",)


def test_shared_proquest_file_matches_readme_count(shared_data: Path) -> None:
    result = read_file(shared_data / "metaknowledge" / "ProQuest_TestFile.txt")
    assert result.format == "proquest"
    assert len(result.records) == 100
    assert result.issues == []
    first = result.records[0]
    assert first.title == "Entrenchment and the Kripke-Wittgenstein paradox"
    assert first.authors[0].name == "Dorst, Chris"
    assert first.type == "thesis" and first.year == 2014
    assert first.url.startswith("http://search.proquest.com")
    assert first.extra["accession"] == "1548716365"
