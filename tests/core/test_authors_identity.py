"""Author-name parsing, DOI normalisation and record identity."""

from __future__ import annotations

import pytest

from peerlit_tui.authors import list_items, names_to_authors, parse_name, split_author_list
from peerlit_tui.identity import duplicate_key, normalise_doi, record_id, same_paper, split_id
from peerlit_tui.model import Author, Record


def test_natural_order_list_with_final_and() -> None:
    authors = split_author_list("Benjamin Thomas Gray, Matthew Sisto and Renee Conley")
    assert [(a.name, a.family, a.given, a.inverted) for a in authors] == [
        ("Benjamin Thomas Gray", "Gray", "Benjamin Thomas", False),
        ("Matthew Sisto", "Sisto", "Matthew", False),
        ("Renee Conley", "Conley", "Renee", False),
    ]


def test_two_names_joined_by_and() -> None:
    authors = split_author_list("Alison Faulkner and Thurstine Basset")
    assert [a.family for a in authors] == ["Faulkner", "Basset"]


def test_hyphenated_and_particle_surnames() -> None:
    assert parse_name("Simon Lawton-Smith").family == "Lawton-Smith"
    assert parse_name("Rens van de Schoot").family == "van de Schoot"


def test_inverted_names_keep_order_information() -> None:
    author = parse_name("Gray, Benjamin T.")
    assert (author.family, author.given, author.inverted) == ("Gray", "Benjamin T.", True)
    short = parse_name("Liu R.")
    assert (short.family, short.given, short.inverted) == ("Liu", "R.", True)


def test_semicolon_separated_inverted_list() -> None:
    authors = split_author_list("Gray, B.; Sisto, M.")
    assert [(a.family, a.given) for a in authors] == [("Gray", "B."), ("Sisto", "M.")]


def test_comma_separated_short_inverted_list() -> None:
    authors = split_author_list("Liu R., Adler D.G.")
    assert [(a.family, a.given) for a in authors] == [("Liu", "R."), ("Adler", "D.G.")]


def test_single_inverted_name_is_not_split_in_two() -> None:
    authors = split_author_list("Mahon, Daryl")
    assert [(a.family, a.given) for a in authors] == [("Mahon", "Daryl")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Marx, Karl, Lindgren, Astrid", [("Marx", "Karl", True), ("Lindgren", "Astrid", True)]),
        ("Alnaes, R., Torgersen, S.", [("Alnaes", "R.", True), ("Torgersen", "S.", True)]),
        ("Gray, B. and Sisto, M.", [("Gray", "B.", True), ("Sisto", "M.", True)]),
        ("Gray, B., and Sisto, M.", [("Gray", "B.", True), ("Sisto", "M.", True)]),
        ("Gray, B. & Sisto, M.", [("Gray", "B.", True), ("Sisto", "M.", True)]),
        ("Liu R., Adler D.G.", [("Liu", "R.", True), ("Adler", "D.G.", True)]),
        ("Whistler R.L., Lake W.C.", [("Whistler", "R.L.", True), ("Lake", "W.C.", True)]),
        ("Quintanilla-Dieck L., Van der Berg J. A.",
         [("Quintanilla-Dieck", "L.", True), ("Van der Berg", "J. A.", True)]),
        ("Smith, J.; Doe, A.", [("Smith", "J.", True), ("Doe", "A.", True)]),
        (
            "Chiu, Kenny, Clark, David M., Leigh, Eleanor",
            [("Chiu", "Kenny", True), ("Clark", "David M.", True), ("Leigh", "Eleanor", True)],
        ),
        ("Erdogan Kaya, Ayse, Yazici, Esra",
         [("Erdogan Kaya", "Ayse", True), ("Yazici", "Esra", True)]),
        ("John Smith, Jane Doe", [("Smith", "John", False), ("Doe", "Jane", False)]),
        ("Ann Lee, Bob Roe, and Cy Poe", [("Lee", "Ann", False), ("Roe", "Bob", False),
                                          ("Poe", "Cy", False)]),
        ("R. L. Whistler and W. C. Lake", [("Whistler", "R. L.", False), ("Lake", "W. C.", False)]),
        ("E J Reimer; F M van den Heuvel",
         [("Reimer", "E J", False), ("van den Heuvel", "F M", False)]),
        ("Gray, Benjamin\nSisto, Matthew",
         [("Gray", "Benjamin", True), ("Sisto", "Matthew", True)]),
        ("['Marx, Karl', 'Lindgren, Astrid']",
         [("Marx", "Karl", True), ("Lindgren", "Astrid", True)]),
        ("[]", []),
        ("Yagai, Tsuyoshi (7003612345); Smith, John (57190000001)",
         [("Yagai", "Tsuyoshi", True), ("Smith", "John", True)]),
        ("Smith, Jr.", [("Smith, Jr.", "", True)]),
        ("Flakes, Johnny H., III", [("Flakes", "Johnny H., III", True)]),
        ("R. P. Swenson, Jr., G. Heusch", [("Swenson", "R. P.", False), ("Heusch", "G.", False)]),
        ("A Gray; P Clarke; UKPDS Group",
         [("Gray", "A", False), ("Clarke", "P", False), ("UKPDS Group", "", False)]),
        ("Smith J, Jones A, WHO Study Group",
         [("Smith", "J", True), ("Jones", "A", True), ("WHO Study Group", "", False)]),
        ("National Institute for Health and Care Excellence",
         [("National Institute for Health and Care Excellence", "", False)]),
        ("  ;  ", []),
    ],
)  # fmt: skip
def test_split_author_list_reads_every_list_style(
    raw: str, expected: list[tuple[str, str, bool]]
) -> None:
    assert [(a.family, a.given, a.inverted) for a in split_author_list(raw)] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Van der Berg J. A.", ("Van der Berg", "J. A.", True)),
        ("Nides M A", ("Nides", "M A", True)),
        ("Quintanilla Dieck L.", ("Quintanilla Dieck", "L.", True)),
        ("Smith JA", ("Smith", "JA", True)),
        ("GRAY B T", ("GRAY", "B T", True)),
        ("R. L. Whistler", ("Whistler", "R. L.", False)),
        ("J.-P. Sartre", ("Sartre", "J.-P.", False)),
        ("Martin Luther King Jr.", ("King", "Martin Luther", False)),
        ("Smith, Jr.", ("Smith, Jr.", "", True)),
        ("John Smith, Jr.", ("Smith", "John", False)),
        ("Yagai, Tsuyoshi (7003612345)", ("Yagai", "Tsuyoshi", True)),
        ("Madonna", ("Madonna", "", False)),
        ("Scandinavian Simvastatin Survival Study Group",
         ("Scandinavian Simvastatin Survival Study Group", "", False)),
        ("American Diabetes Association", ("American Diabetes Association", "", False)),
        ("  Gray,\tBenjamin  ", ("Gray", "Benjamin", True)),
    ],
)  # fmt: skip
def test_parse_name_shapes(raw: str, expected: tuple[str, str, bool]) -> None:
    author = parse_name(raw)
    assert (author.family, author.given, author.inverted) == expected


def test_author_id_is_dropped_from_the_name() -> None:
    assert parse_name("Yagai, Tsuyoshi (7003612345)").name == "Yagai, Tsuyoshi"
    # A short number in brackets is not a Scopus id and stays.
    assert parse_name("Smith (123)").name == "Smith (123)"


def test_escape_sequence_payload_does_not_split_the_list() -> None:
    authors = split_author_list("Jane Doe\x1b]52;c;SGVsbG8=\x07, Bob Jones")
    assert [a.name for a in authors] == ["Jane Doe", "Bob Jones"]


def test_names_to_authors_drops_blanks_and_keeps_order() -> None:
    authors = names_to_authors(["Gray, B.", "  ", "Sisto M", "(7003612345)"])
    assert [(a.family, a.given) for a in authors] == [("Gray", "B."), ("Sisto", "M")]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("['a', 'b ', '  ']", ["a", "b "]),
        ('["Marx, Karl"]', ["Marx, Karl"]),
        ("[]", []),
        ("[1, 2]", None),
        ("['a', 1]", None),
        ("['unclosed]", None),
        ("Smith, J.", None),
    ],
)
def test_list_items(text: str, items: list[str] | None) -> None:
    assert list_items(text) == items


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1108/MHSI-05-2024-0085", "10.1108/mhsi-05-2024-0085"),
        ("https://doi.org/10.1108/X.1", "10.1108/x.1"),
        ("doi: 10.1002/cam4.747 [doi]", "10.1002/cam4.747"),
        ("DOI 10.1119/1.1972585.", "10.1119/1.1972585"),
        ("http://dx.doi.org/10.1000/abc", "10.1000/abc"),
        ("not a doi", ""),
        ("", ""),
    ],
)
def test_normalise_doi(raw: str, doi: str) -> None:
    assert normalise_doi(raw) == doi


def _record(**kw: object) -> Record:
    base: dict[str, object] = {
        "title": "Peer support in mental health: a review",
        "authors": [Author("Jane Smith", "Smith", "Jane")],
        "year": 2012,
    }
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def test_doi_is_the_id_when_present() -> None:
    assert record_id(_record(doi="https://doi.org/10.1234/ABC")) == "10.1234/abc"


def test_hash_id_ignores_case_accents_and_punctuation() -> None:
    a = record_id(_record(title="Peer support in mental health: a review"))
    b = record_id(_record(title="PEER SUPPORT IN MENTAL HEALTH — A REVIEW."))
    assert a == b and len(a) == 12


def test_hash_id_changes_with_year_or_first_author() -> None:
    base = record_id(_record())
    assert record_id(_record(year=2013)) != base
    assert record_id(_record(authors=[Author("Ann Other", "Other", "Ann")])) != base


def test_untitled_looking_records_without_author_and_year_differ_by_container() -> None:
    a = record_id(_record(title="Editorial", authors=[], year=None, journal="Journal A"))
    b = record_id(_record(title="Editorial", authors=[], year=None, journal="Journal B"))
    assert a != b


def test_duplicate_key_is_shared_by_doi_and_non_doi_versions() -> None:
    with_doi = _record(doi="10.1/x")
    without = _record(title="Peer Support in Mental Health. A Review")
    assert duplicate_key(with_doi) == duplicate_key(without) != ""
    assert duplicate_key(_record(title="Short")) == ""


def test_split_id_is_the_doi_with_a_stable_title_hash() -> None:
    a = split_id(_record(doi="10.1234/X", title="Loneliness after hospital discharge"))
    b = split_id(_record(doi="10.1234/x", title="LONELINESS AFTER HOSPITAL DISCHARGE."))
    assert a == b and a.startswith("10.1234/x#") and len(a) == len("10.1234/x#") + 6
    assert split_id(_record(doi="10.1234/x", title="Another paper entirely")) != a


@pytest.mark.parametrize(
    ("title", "author", "year", "same"),
    [
        ("Peer support in mental health: a review of models", "Smith", 2012, True),
        ("Peer support in mental health", "Smith", 2012, True),  # subtitle dropped
        ("Peer suport in mental helth: a review of models", "Smith", 2012, True),  # typos
        ("Peer support in mental health services: a review", "Smith", 2012, True),
        ("Loneliness among older adults after hospital discharge", "Smith", 2012, False),
        ("Loneliness among older adults after hospital discharge", "Okafor", 2012, False),
    ],
)
def test_same_paper_trusts_a_shared_doi_unless_the_titles_clearly_differ(
    title: str, author: str, year: int, same: bool
) -> None:
    stored = _record(doi="10.1/x", title="Peer support in mental health: a review of models")
    new = _record(doi="10.1/x", title=title, year=year,
                  authors=[Author(f"A {author}", author, "A")])  # fmt: skip
    assert same_paper(stored, new) is same


def test_same_paper_in_the_middle_band_needs_author_and_year() -> None:
    stored = _record(title="Exercise for depressive symptoms in adolescents: a trial")
    similar = "Exercise and depressive symptoms among adolescent athletes"
    assert same_paper(stored, _record(title=similar))
    assert not same_paper(stored, _record(title=similar, year=2015))
    other = [Author("B Okafor", "Okafor", "B")]
    assert not same_paper(stored, _record(title=similar, authors=other))


def test_a_derived_or_tiny_title_never_splits_a_doi() -> None:
    stored = _record(title="Editorial")
    assert same_paper(stored, _record(title="Completely different words in this one"))
