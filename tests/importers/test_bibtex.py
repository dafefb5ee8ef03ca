"""Tests for the BibTeX/BibLaTeX importer, its LaTeX decoding and its field mapping.

Fixtures in tests/fixtures/bibtex come from python-bibtexparser's test data
(BSD-3-Clause) and citation-js's BibTeX plugin tests (MIT); the other inputs are
written inline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peerlit_tui.importers import latex, read_file
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.bibtex import FORMAT, parse, sniff
from peerlit_tui.importers.bibtex_fields import bibtex_author, split_names
from peerlit_tui.importers.latex import decode_latex, decode_url
from peerlit_tui.importers.pipeline import FileResult
from peerlit_tui.model import Author, Record


def read_bib(tmp_path: Path, text: str, encoding: str = "utf-8") -> FileResult:
    path = tmp_path / "refs.bib"
    path.write_bytes(text.encode(encoding))
    return read_file(path)


def only_record(tmp_path: Path, text: str) -> Record:
    result = read_bib(tmp_path, text)
    assert result.error is None, result.error
    assert len(result.records) == 1, result.issues
    return result.records[0]


# --- LaTeX decoding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"Verd{\'{u}}", "Verdú"),
        (r"\'Eric Ma{\ss}mann", "Éric Maßmann"),
        (r"{\AA}ngstr{\"o}m", "Ångström"),
        (r"H{\aa}stad and \L{}ukasz", "Håstad and Łukasz"),
        (r"\c{c}a \v{s} \k{a} \u{g} \H{o} \r{a} \=a \.z \~n", "ça š ą ğ ő å ā ż ñ"),
        (r"na\"{\i}ve", "naïve"),
        (r"{{DNA}} repair", "DNA repair"),
        (r"Smith \& Sons: 50\% \$3 \#1 a\_b", "Smith & Sons: 50% $3 #1 a_b"),
        (r"pages 1--2 --- a ``quote''", "pages 1–2 — a “quote”"),
        (r"\emph{Drosophila} in \textit{vitro}", "Drosophila in vitro"),
        (r"R\'enyi $\alpha$-entropy", "Rényi $\\alpha$-entropy"),
        (r"\alpha{} and \geq", "α and ≥"),
        (r"{\~{}}0.19 and x{\^{}}2", "~0.19 and x^2"),
        (r"100% sure", "100% sure"),
        (r"\href{https://example.org}{Example}", "Example"),
        (r"{\LaTeX} \unknownmacro{kept}", "LaTeX kept"),
        ("plain text", "plain text"),
    ],
)
def test_decode_latex(raw: str, expected: str) -> None:
    assert decode_latex(raw) == expected


def test_mendeley_escaped_math_keeps_the_macro_names() -> None:
    raw = r"state {\$}\backslashrho{\_}{\{}ABC{\}}{\$} is"
    assert decode_latex(raw) == r"state $\rho_{ABC}$ is"


def test_rare_constructs_fall_back_to_pylatexenc(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []
    slow = latex._slow_decode
    monkeypatch.setattr(latex, "_slow_decode", lambda text: used.append(text) or slow(text))
    assert decode_latex(r"\t{oo} x") == "oo x"  # a macro with an argument: fast path
    assert decode_latex(r"x\'{} y") == "x y"
    assert decode_latex("a lone \\").strip() == "a lone"
    assert used == [r"x\'{} y", "a lone \\"]


def test_common_fields_never_need_the_slow_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(text: str) -> str:
        raise AssertionError(f"slow decoder used for {text!r}")

    monkeypatch.setattr(latex, "_slow_decode", slow)
    assert decode_latex(r"J{\"o}rg M{\"u}ller and {\v{S}}koda, Ale{\v s}") == (
        "Jörg Müller and Škoda, Aleš"
    )
    assert decode_latex(r"{\$}I(A;B|C){\$} in $\mathcal{H}$") == r"$I(A;B|C)$ in $\mathcal{H}$"


def test_decode_url_keeps_percent_encoding_and_dashes() -> None:
    assert decode_url(r"http://x.org/a{\_}b--c%20d") == "http://x.org/a_b--c%20d"
    assert decode_url(r"\url{https://x.org/~me}") == "https://x.org/~me"


# --- names ----------------------------------------------------------------------------


def test_split_names_on_and_in_any_case_outside_braces() -> None:
    assert split_names("Bird, R.B. and Armstrong, R.C. AND Hassager, O.") == [
        "Bird, R.B.",
        "Armstrong, R.C.",
        "Hassager, O.",
    ]
    assert split_names("Smith, J.; Doe, A.") == ["Smith, J.", "Doe, A."]
    assert split_names("{Barnes and Noble, Inc.} and Sandy Andersen and others") == [
        "{Barnes and Noble, Inc.}",
        "Sandy Andersen",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Gray, Benjamin T.", Author("Gray, Benjamin T.", "Gray", "Benjamin T.", True)),
        ("Benjamin Thomas Gray", Author("Benjamin Thomas Gray", "Gray", "Benjamin Thomas")),
        ("Ludwig van Beethoven", Author("Ludwig van Beethoven", "van Beethoven", "Ludwig")),
        ("von Helmholtz, H.", Author("von Helmholtz, H.", "von Helmholtz", "H.", True)),
        ("Smith, Jr., John", Author("Smith, Jr., John", "Smith", "John", True)),
        ("{Barnes and Noble, Inc.}", Author("Barnes and Noble, Inc.", "Barnes and Noble, Inc.")),
        ("{De Moor}, B.", Author("De Moor, B.", "De Moor", "B.", True)),
        (r"Jan {\v{S}}koda Nov{\'a}k", Author("Jan Škoda Novák", "Novák", "Jan Škoda")),
        (r"Jean {\`a} Becket", Author("Jean à Becket", "à Becket", "Jean")),
        (r"Dupuis, Fr{\'{e}}d{\'{e}}ric", Author("Dupuis, Frédéric", "Dupuis", "Frédéric", True)),
        ("given=A, family=B", Author("B, A", "B", "A", True)),
    ],
)  # fmt: skip
def test_bibtex_author(raw: str, expected: Author) -> None:
    assert bibtex_author(raw) == expected


# --- field mapping ----------------------------------------------------------------------


def test_special_characters_fixture(fixtures: Path) -> None:
    result = read_file(fixtures / "bibtex" / "article_with_special_characters.bib")
    assert result.format == "bibtex"
    (record,) = result.records
    assert record.type == "article"
    assert record.type_detail == "article"
    assert record.title == "An amazing title"
    assert record.authors == [Author("Jean Césarü", "Césarü", "Jean", False)]
    assert (record.date, record.year) == ("2013-01", 2013)
    assert (record.journal, record.volume, record.pages) == ("Nice Journal", "12", "12-23")
    assert record.keywords == ["keyword1", "keyword2"]
    assert record.abstract[0].text.endswith("with a french érudit word")
    assert record.extra["citekey"] == "Cesar2013"


def test_full_article_fields(tmp_path: Path) -> None:
    record = only_record(
        tmp_path,
        r"""
@article{smith2020peer,
  author = {Smith, Jane and M{\"u}ller, J{\"o}rg and {World Health Organization}},
  title = {{Peer} support for {\emph{depression}}: a review},
  journal = {Journal of Mental Health},
  year = 2020, month = sep,
  volume = {29}, number = {4}, pages = {412--419},
  doi = {10.1080/09638237.2020.1234567},
  url = {https://doi.org/10.1080/09638237.2020.1234567},
  issn = {0963-8237}, isbn = {978-1-23},
  keywords = {peer support; depression, mental health},
  abstract = {BACKGROUND: Peer support helps. METHODS: We reviewed trials. RESULTS: It works.},
  language = {English}, publisher = {Taylor \& Francis},
  note = {Epub ahead of print}, annote = {Screened twice}, pmid = {32345678}
}
""",
    )
    assert record.type == "article"
    assert record.title == "Peer support for depression: a review"
    assert [a.family for a in record.authors] == ["Smith", "Müller", "World Health Organization"]
    assert [a.inverted for a in record.authors] == [True, True, False]
    assert (record.date, record.year) == ("2020-09", 2020)
    assert (record.volume, record.issue, record.pages) == ("29", "4", "412-419")
    assert record.doi == "10.1080/09638237.2020.1234567"
    assert record.url == "https://doi.org/10.1080/09638237.2020.1234567"
    assert (record.issn, record.isbn) == ("0963-8237", "978-1-23")
    assert record.keywords == ["peer support", "depression", "mental health"]
    assert [s.key for s in record.abstract] == ["background", "methods", "results"]
    assert (record.language, record.publisher) == ("English", "Taylor & Francis")
    assert record.extra["citekey"] == "smith2020peer"
    assert record.extra["note"] == "Epub ahead of print"
    assert record.extra["annote"] == "Screened twice"
    assert record.extra["pmid"] == "32345678"


@pytest.mark.parametrize(
    ("entry", "record_type"),
    [
        ("@article{k, title={T}, journal={J}}", "article"),
        ("@article{k, title={T}, journal={arXiv preprint arXiv:2001.00001}}", "preprint"),
        ("@book{k, title={T}}", "book"),
        ("@inbook{k, title={T}}", "chapter"),
        ("@incollection{k, title={T}, booktitle={B}}", "chapter"),
        ("@inproceedings{k, title={T}, booktitle={B}}", "conference paper"),
        ("@conference{k, title={T}}", "conference paper"),
        ("@techreport{k, title={T}}", "report"),
        ("@report{k, title={T}}", "report"),
        ("@phdthesis{k, title={T}}", "thesis"),
        ("@mastersthesis{k, title={T}}", "thesis"),
        ("@thesis{k, title={T}}", "thesis"),
        ("@online{k, title={T}, url={https://x.org}}", "webpage"),
        ("@misc{k, title={T}, url={https://x.org}}", "webpage"),
        (r"@misc{k, title={T}, howpublished={\url{https://x.org}}}", "webpage"),
        ("@misc{k, title={T}, eprinttype={arXiv}, eprint={2001.00001}}", "preprint"),
        ("@misc{k, title={T}}", "other"),
        ("@dataset{k, title={T}}", "dataset"),
        ("@patent{k, title={T}}", "other"),
    ],
)
def test_entry_types(tmp_path: Path, entry: str, record_type: str) -> None:
    assert only_record(tmp_path, entry).type == record_type


def test_booktitle_is_the_container(tmp_path: Path) -> None:
    record = only_record(tmp_path, "@inproceedings{k, title={T}, booktitle={Proc. of X}}")
    assert record.journal == "Proc. of X"


@pytest.mark.parametrize(
    ("fields", "date", "year"),
    [
        ("date = {2020-05-01}", "2020-05-01", 2020),
        ("date = {2020-05-01/2020-05-03}", "2020-05-01", 2020),
        ("date = {2016/2017}", "2016", 2016),
        ("date = {2016-12-13}, year = 2017, month = 8", "2016-12-13", 2016),
        ("year = 2017, month = 8", "2017-08", 2017),
        ("year = {2017}, month = {August}", "2017-08", 2017),
        ("year = {2017}, month = {13}", "2017", 2017),
        ("year = {in press}", "", None),
    ],
)
def test_dates(tmp_path: Path, fields: str, date: str, year: int | None) -> None:
    record = only_record(tmp_path, f"@article{{k, title={{T}}, {fields}}}")
    assert (record.date, record.year) == (date, year)


def test_unparsable_year_is_kept_in_extra(tmp_path: Path) -> None:
    record = only_record(tmp_path, "@book{k, title={T}, year={{13th Century}}}")
    assert record.year is None
    assert record.extra["year"] == "13th Century"


def test_report_number_is_not_an_issue(tmp_path: Path) -> None:
    record = only_record(tmp_path, "@techreport{k, title={T}, number={TR-7}}")
    assert record.issue == ""
    assert record.extra["number"] == "TR-7"


def test_strings_and_concatenation(tmp_path: Path) -> None:
    record = only_record(
        tmp_path,
        '@string{jn = "Journal of Tests"}\n'
        '@STRING{Vol = "7"}\n'
        '@article{k, title = "Part " # vol # {: {A} study}, journal = jn, volume = VOL}\n',
    )
    assert record.title == "Part 7: A study"
    assert record.journal == "Journal of Tests"
    assert record.volume == "7"


def test_crossref_inherits_missing_fields_one_level(tmp_path: Path) -> None:
    result = read_bib(
        tmp_path,
        "@inproceedings{paper, title={A paper}, crossref={proc}, pages={1--9}}\n"
        "@proceedings{proc, title={Proceedings of X}, year=2019, publisher={ACM},\n"
        "  doi={10.1/proc}, crossref={series}}\n"
        "@book{series, title={Series}, address={Paris}}\n",
    )
    paper = result.records[0]
    assert paper.journal == "Proceedings of X"
    assert (paper.year, paper.publisher, paper.pages) == (2019, "ACM", "1-9")
    assert paper.doi == ""  # the proceedings' DOI identifies the proceedings, not the paper
    assert "address" not in paper.extra  # only one level is inherited


# --- broken input ------------------------------------------------------------------------


def test_broken_entry_in_the_middle_is_skipped_with_its_line(tmp_path: Path) -> None:
    result = read_bib(
        tmp_path,
        "@article{a, title={One}, year=2000}\n"
        "\n"
        "@article{b, title={Two, year=2001}\n"
        "\n"
        "@article{c, title={Three}, year=2002}\n",
    )
    assert [r.title for r in result.records] == ["One", "Three"]
    assert [r.sources[0].line for r in result.records] == [1, 5]
    (issue,) = result.issues
    assert issue.skipped and issue.line == 3
    assert "@article{b}" in issue.message


def test_unclosed_entry_fixture(fixtures: Path) -> None:
    result = read_file(fixtures / "bibtex" / "different_delimiters.bib")
    assert len(result.records) == 1
    (issue,) = result.skipped
    assert issue.line == 7
    assert "@book{b}" in issue.message and "end of file" in issue.message


def test_duplicate_keys_are_kept_with_a_warning(tmp_path: Path) -> None:
    result = read_bib(
        tmp_path,
        "@article{same, title={First paper}, doi={10.1/a}}\n"
        "@article{same, title={Second paper}, doi={10.1/b}}\n",
    )
    assert [r.title for r in result.records] == ["First paper", "Second paper"]
    (issue,) = result.issues
    assert not issue.skipped and issue.line == 2
    assert "already used on line 1" in issue.message


def test_repeated_field_keeps_the_first_value(tmp_path: Path) -> None:
    result = read_bib(tmp_path, "@article{k, title={Kept}, pmid={1}, pmid={2}}")
    (record,) = result.records
    assert record.extra["pmid"] == "1"
    assert not result.issues[0].skipped and "pmid" in result.issues[0].message


def test_splitter_failure_is_confined_to_one_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bibtexparser import entrypoint

    real = entrypoint.parse_string

    def fragile(text: str, *args: object, **kwargs: object) -> object:
        if "Poison" in text:
            raise RuntimeError("splitter state")
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(entrypoint, "parse_string", fragile)
    result = read_bib(
        tmp_path,
        "@string{j = {Journal}}\n@article{a, title={One}, journal=j}\n"
        "@article{b, title={Poison}}\n@article{c, title={Three}}\n",
    )
    assert [(r.title, r.journal) for r in result.records] == [("One", "Journal"), ("Three", "")]
    (issue,) = result.skipped
    assert issue.line == 3 and "splitter state" in issue.message


# --- encodings and sniffing ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    # Enough French prose for the legacy-encoding guess to tell cp1252 from its
    # central-European sibling cp1250, as in a real export.
    abstract = "Le café de la société française était très animé à l'époque. " * 3
    text = (
        "@article{k,\n  author = {Lefèvre, Hélène and Dupré, François},\n"
        "  title = {Café society – the élite and the naïve},\n  year = {2019},\n"
        f"  abstract = {{{abstract}}}\n}}\n"
    )
    result = read_bib(tmp_path, text, encoding)
    (record,) = result.records
    assert record.title == "Café society – the élite and the naïve"
    assert [a.family for a in record.authors] == ["Lefèvre", "Dupré"]
    assert record.abstract[0].text.startswith("Le café de la société")


def test_sniff_is_strict() -> None:
    def score(text: str) -> float:
        return sniff(SourceFile.from_bytes(Path("x.txt"), text.encode()))

    assert score("@article{k,\n  title = {T}\n}\n") == pytest.approx(0.9)
    assert score("TY  - JOUR\nTI  - Title\nER  - \n") == 0.0
    assert score("Contact: someone@example.org {braces}\n") == 0.0
    assert score("PMID- 123\nTI  - x @article{ inline\n") == 0.0
    # A report that ends with a BibTeX bibliography (ProQuest) is not a .bib file.
    report = "Report Information\n" + "Some field: value\n" * 30
    assert score(report + "@misc{\ntitle={T}, }\n") == pytest.approx(0.4)
    assert score("% JabRef\n" * 30 + "@misc{k,\ntitle={T}, }\n") == pytest.approx(0.9)
    assert FORMAT.extensions == ("bib", "bibtex", "biblatex")


def test_parse_yields_in_file_order() -> None:
    text = "@article{a, title={A}}\n@misc{b, title={B}}\n@book{c, title={C}}\n"
    items = list(parse(SourceFile.from_bytes(Path("x.bib"), text.encode())))
    assert [(p.line, p.record.title if p.record else None) for p in items] == [
        (1, "A"),
        (2, "B"),
        (3, "C"),
    ]


# --- shared corpus ---------------------------------------------------------------------------

_ROW = re.compile(r"^\| `([^`]+)` \| BibTeX/BibLaTeX \| (\d+) \|")


def readme_counts(shared: Path) -> list[tuple[Path, int]]:
    out, folder = [], ""
    for line in (shared / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## `"):
            folder = line[4:].split("`")[0]
        row = _ROW.match(line)
        if row:
            out.append((shared / folder / row.group(1), int(row.group(2))))
    return out


def test_shared_bibtex_files_account_for_every_entry(shared_data: Path) -> None:
    files = readme_counts(shared_data)
    assert len(files) >= 80
    for path, count in files:
        result = read_file(path)
        if count == 0:
            assert not result.records, path
            continue
        # Entries the pipeline cannot identify (no title, no DOI) and blocks
        # bibtexparser cannot read are reported as skipped; together with the
        # records they make up the README's count of @entries.
        assert len(result.records) + len(result.skipped) == count, (path, result.issues[:3])


def test_messy_file_keeps_entries_with_clashing_keys(shared_data: Path) -> None:
    result = read_file(shared_data / "bibtexparser_tests" / "messy_bibfile.bib")
    assert len(result.records) == 942
    assert [i.line for i in result.issues] == [8448, 8475]
    dois = {r.doi for r in result.records}
    assert {"10.1103/physreva.66.022311", "10.1103/physreva.66.032321"} <= dois


def test_gbk_file(shared_data: Path) -> None:
    result = read_file(shared_data / "bibtexparser_tests" / "gbk_test.bib")
    (record,) = result.records
    assert record.journal == "测试期刊"
    assert record.authors[0].name == "凯撒"


def test_string_macros_that_expand_too_far_are_left_undefined(tmp_path: Path) -> None:
    lines = ['@string{a0 = "lol"}']
    lines += [f"@string{{a{i} = a{i - 1} # a{i - 1} # a{i - 1} # a{i - 1}}}" for i in range(1, 14)]
    lines += ["@string{ok = {Journal of Fine Things}}", "@article{k, title = a13, journal = ok}"]
    result = read_bib(tmp_path, "\n".join(lines) + "\n")
    (record,) = result.records
    assert record.journal == "Journal of Fine Things"
    assert len(record.title) < 1000  # "a9a9a9a9..." rather than 200 million characters
    (warning,) = [i for i in result.issues if not i.skipped]
    assert warning.line == 11
    assert "@string{a10} expands to more than 1,000,000 characters" in warning.message


def test_a_field_that_expands_too_far_is_left_empty_with_a_warning(tmp_path: Path) -> None:
    big = "x" * 600_000
    text = f'@string{{big = "{big}"}}\n@article{{k, title = {{Kept}}, abstract = big # big}}\n'
    result = read_bib(tmp_path, text)
    (record,) = result.records
    assert record.title == "Kept" and not record.abstract
    assert any("abstract would expand to more than" in i.message for i in result.issues)
