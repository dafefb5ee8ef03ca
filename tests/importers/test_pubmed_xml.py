"""PubMed XML: articles and book articles, structured abstracts, MeSH, DOIs; safe parsing."""

from __future__ import annotations

from pathlib import Path

from peerlit_tui.importers import read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.registry import sniff

FIXTURE = Path(__file__).parents[1] / "fixtures" / "pubmed_xml" / "pubmed_set.xml"


def test_articles_and_book_articles() -> None:
    result = read_file(FIXTURE)
    assert (result.format, result.error, result.issues) == ("pubmed_xml", None, [])
    article = result.records[0]
    assert len(result.records) == 3
    assert article.title.startswith("Cellular structure of dinosaur scales")
    assert [a.name for a in article.authors] == [
        "Yang, Zixiao", "Jiang, Baoyu", "Dinosaur Skin Consortium"
    ]  # fmt: skip
    assert (article.year, article.date) == (2024, "2024-05-21")
    assert (article.journal, article.volume, article.issue, article.pages) == (
        "Nature communications", "15", "1", "4063"
    )  # fmt: skip
    assert article.doi == "10.1038/s41467-024-48400-3"
    assert article.issn == "2041-1723"
    assert article.language == "English"
    assert article.extra["pmid"] == "38773073" and article.extra["pmcid"] == "PMC11109226"
    assert article.sources[0].database == "PubMed"


def test_structured_abstract_sections_and_inline_markup() -> None:
    article = read_file(FIXTURE).records[0]
    assert [(s.heading, s.key) for s in article.abstract] == [
        ("Background", "background"), ("Methods", "methods"), ("Conclusions", "conclusions")
    ]  # fmt: skip
    assert "skin of Psittacosaurus using" in article.abstract[1].text


def test_mesh_headings_and_keywords_become_keywords() -> None:
    assert read_file(FIXTURE).records[0].keywords == ["feathers", "Animals", "Skin"]


def test_medline_date_elocation_doi_and_review_type() -> None:
    review = read_file(FIXTURE).records[1]
    assert (review.year, review.type) == (2020, "review")
    assert review.doi == "10.1016/j.ejmg.2019.03.004"
    assert [s.heading for s in review.abstract] == [""]


def test_book_article() -> None:
    chapter = read_file(FIXTURE).records[2]
    assert (chapter.type, chapter.title, chapter.journal) == (
        "chapter", "GeneReviews® Introduction", "GeneReviews®"
    )  # fmt: skip
    assert [a.name for a in chapter.authors] == ["Pagon, Roberta A"]
    assert chapter.extra["editor"] == "Adam, Margaret P"
    assert chapter.publisher == "University of Washington, Seattle"
    assert (chapter.year, chapter.extra["bookaccession"]) == (1993, "NBK1116")


def test_sniffed_ahead_of_endnote_xml_and_csv() -> None:
    source = SourceFile.read(FIXTURE)
    fmt, _ = sniff(source)
    assert fmt is not None and fmt.name == "pubmed_xml"


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<PubmedArticleSet><PubmedArticle>'
        "<MedlineCitation><Article><ArticleTitle>&b;</ArticleTitle></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )
    result = read_file(path, format_name="pubmed_xml")
    assert result.records == []
    assert result.error is not None and "refused for safety" in result.error


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "file://{secret}">\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>Safe &xxe;</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>\n"
    )
    result = read_file(path, format_name="pubmed_xml")
    # The external DTD is not fetched, so the entity it would define is skipped.
    assert [r.title for r in result.records] == ["Safe"]


def test_malformed_xml_keeps_the_records_before_the_error(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    cut = text.index("<PubmedBookArticle>")
    path = tmp_path / "cut.xml"
    path.write_text(text[:cut] + "<PubmedBookArticle><BookDocument></Oops>")
    result = read_file(path)
    assert len(result.records) == 2
    assert any("malformed XML" in i.message for i in result.issues)
