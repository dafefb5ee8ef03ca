"""The query language parser: every syntax element, precedence, errors, leniency, narrowing."""

from __future__ import annotations

import pytest

from peerlit_tui.query import (
    And,
    Choice,
    Flag,
    MatchAll,
    Not,
    Or,
    QueryError,
    Range,
    Regex,
    Text,
    index_mode,
    narrows,
    parse,
)


def words(node: object) -> object:
    """A compact shape of a tree: Text → (field, text), operators → nested tuples."""
    if isinstance(node, Text):
        return node.text if node.field is None else f"{node.field}:{node.text}"
    if isinstance(node, And):
        return ("AND", *[words(c) for c in node.children])
    if isinstance(node, Or):
        return ("OR", *[words(c) for c in node.children])
    if isinstance(node, Not):
        return ("NOT", words(node.child))
    return node


def shape(text: str) -> object:
    return words(parse(text).root)


def error(text: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse(text)
    return info.value


# -- words, phrases, operators ------------------------------------------------------


def test_empty_query_matches_everything() -> None:
    for text in ("", "   ", "AND", "-", "- -"):
        query = parse(text)
        assert query.is_empty and isinstance(query.root, MatchAll), text


def test_bare_words_are_folded_and_anded() -> None:
    assert shape("Peer  SUPPORT") == ("AND", "peer", "support")
    assert shape("Çelik Müller") == ("AND", "celik", "muller")


def test_phrase_keeps_word_order_and_collapses_spaces() -> None:
    node = parse('"Peer   Support" work').root
    assert isinstance(node, And)
    phrase = node.children[0]
    assert isinstance(phrase, Text) and phrase.phrase and phrase.text == "peer support"


def test_negation_with_dash_and_not() -> None:
    assert shape("peer -student") == ("AND", "peer", ("NOT", "student"))
    assert shape("peer NOT student") == ("AND", "peer", ("NOT", "student"))
    assert shape("NOT NOT peer") == "peer"
    # A dash inside a word is part of the word.
    assert shape("covid-19") == "covid-19"


def test_or_binds_looser_than_implicit_and() -> None:
    assert shape("a b OR c") == ("OR", ("AND", "a", "b"), "c")
    assert shape("a OR b c") == ("OR", "a", ("AND", "b", "c"))
    assert shape("a OR b OR c") == ("OR", "a", "b", "c")
    assert shape("a | b") == ("OR", "a", "b")
    # Lower-case "or" is a word, explicit AND is allowed.
    assert shape("war or peace") == ("AND", "war", "or", "peace")
    assert shape("a AND b") == ("AND", "a", "b")


def test_parentheses_group() -> None:
    assert shape("(a OR b) c") == ("AND", ("OR", "a", "b"), "c")
    assert shape("-(a OR b)") == ("NOT", ("OR", "a", "b"))
    assert shape("((a))") == "a"
    assert shape("x (a (b OR c))") == ("AND", "x", "a", ("OR", "b", "c"))


# -- fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title:Recovery", "title:recovery"),
        ("author:Çelik", "author:celik"),
        ("authors:smith", "author:smith"),
        ("journal:nature", "journal:nature"),
        ("keyword:peer", "keyword:peer"),
        ("kw:peer", "keyword:peer"),
        ("abstract:peer", "abstract:peer"),
        ("type:book", "type:book"),
        ("source:scopus", "source:scopus"),
        ("tag:to-read", "tag:to-read"),
        ("note:later", "note:later"),
        ("id:8917C6", "id:8917c6"),
        ("findings:peer", "findings:peer"),
        ("Purpose:aims", "purpose:aims"),
        ("methods:randomized", "methods:randomized"),
        ("conclusions:effective", "conclusions:effective"),
        ('title:"peer support"', "title:peer support"),
        ("title: recovery", "title:recovery"),
        ("doi:https://doi.org/10.1108/MHSI-01", "doi:10.1108/mhsi-01"),
    ],
)
def test_text_fields(text: str, expected: str) -> None:
    assert shape(text) == expected


def test_year_forms() -> None:
    def year(text: str) -> tuple[int | None, int | None]:
        node = parse(text).root
        assert isinstance(node, Range) and node.field == "year"
        return node.low, node.high

    assert year("year:2012") == (2012, 2012)
    assert year("year:2010..2020") == (2010, 2020)
    assert year("year:2010-2020") == (2010, 2020)
    assert year("year:>2015") == (2016, None)
    assert year("year:>=2015") == (2015, None)
    assert year("year:<2015") == (None, 2014)
    assert year("year:<=2015") == (None, 2015)
    assert year("year:2015..") == (2015, None)
    assert year("year:..2015") == (None, 2015)


def test_rating_forms() -> None:
    assert parse("rating:>=4").root == Range("rating", 4, None)
    assert parse("rating:3").root == Range("rating", 3, 3)
    assert parse("rating:<2").root == Range("rating", None, 1)
    assert parse("rating:2..5").root == Range("rating", 2, 5)


def test_choices_accept_unique_prefixes_and_aliases() -> None:
    assert parse("decision:include").root == Choice("decision", "include")
    assert parse("decision:inc").root == Choice("decision", "include")
    assert parse("decision:Excluded").root == Choice("decision", "exclude")
    assert parse("read:skim").root == Choice("read", "skimmed")
    assert parse("read:unread").root == Choice("read", "unread")


def test_flags() -> None:
    assert parse("has:abstract").root == Flag("has", "abstract")
    assert parse("has:doi").root == Flag("has", "doi")
    assert parse("has:note has:tags").root == And((Flag("has", "note"), Flag("has", "tags")))
    assert parse("is:dup").root == Flag("is", "duplicate")
    assert parse("is:derived").root == Flag("is", "derived")
    assert parse("is:screened").root == Flag("is", "screened")
    assert parse("is:unscreened").root == Flag("is", "unscreened")


def test_regex_terms() -> None:
    node = parse("/recover(y|ies)/").root
    assert isinstance(node, Regex) and node.field is None
    assert node.pattern.search("RECOVERIES")  # case-insensitive
    titled = parse(r"title:/^a\/b/").root
    assert isinstance(titled, Regex) and titled.field == "title" and titled.source == "^a/b"
    assert titled.pattern.search("A/B testing")
    # A slash inside a word is not a regex.
    assert shape("and/or") == "and/or"


def test_star_asks_for_a_prefix_match() -> None:
    node = parse("pro*").root
    assert isinstance(node, Text) and node.text == "pro" and node.star
    assert index_mode(node) == "prefix"


def test_index_mode_depends_on_word_length() -> None:
    def mode(text: str) -> str:
        node = parse(text).root
        assert isinstance(node, Text)
        return index_mode(node)

    assert mode("p") == "none"  # one letter: nearly every abstract
    assert mode("an") == "none"  # function word
    assert mode("hiv") == "exact"
    assert mode("peer") == "prefix"
    assert mode('"peer s"') == "exact"
    assert mode('"peer supp"') == "prefix"
    assert mode("abstract:p") == "exact"  # an explicit field always asks the index
    assert mode("&&") == "none"


# -- errors -----------------------------------------------------------------------------


def test_unclosed_parenthesis_names_its_position() -> None:
    exc = error("peer (a OR b")
    assert exc.position == 5
    assert str(exc) == "unclosed parenthesis at 5"


def test_unexpected_closing_parenthesis() -> None:
    exc = error("peer) x")
    assert exc.position == 4 and "unexpected ')'" in str(exc)


def test_unknown_field_suggests_the_closest() -> None:
    exc = error("peer auth:smith")
    assert exc.position == 5
    assert str(exc) == "unknown field 'auth' at 5 — did you mean author?"
    assert "did you mean title?" in str(error("titel:x"))
    assert "quotes" in str(error("zzzzzz:x"))
    # Quoting turns it back into text; URLs are words.
    assert shape('"re:thinking"') == "re:thinking"
    assert shape("https://example.org") == "https://example.org"


@pytest.mark.parametrize(
    ("text", "fragment", "position"),
    [
        ("year:2020..2010", "bad year range '2020..2010' at 5", 5),
        ("year:abc", "bad year range 'abc' at 5", 5),
        ("rating:9", "rating at 7 must be between 0 and 5", 7),
        ("decision:never", "unknown decision: value 'never'", 0),
        ("has:pdf", "unknown has: value 'pdf'", 0),
        ("is:d", "unknown is: value 'd'", 0),  # ambiguous: duplicate or derived
        ("OR peer", "OR at 0 needs a term before it", 0),
        ("a OR OR b", "OR at 2 needs a term after it", 2),
        ("a NOT OR b", "NOT at 2 needs a term after it", 2),
        ("()", "empty parentheses at 0", 0),
        ("title: OR x", "title: at 0 needs a value", 0),
        ("year:/20/", "does not take a regular expression", 0),
        ("title:(a OR b)", "a field cannot be applied to a group", 6),
    ],
)
def test_errors(text: str, fragment: str, position: int) -> None:
    exc = error(text)
    assert fragment in str(exc)
    assert exc.position == position


def test_invalid_regex_reports_where() -> None:
    exc = error("peer /(ab/")
    assert str(exc).startswith("invalid regex at 6: missing )")
    assert exc.position == 6


# -- lenient trailing input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("peer title:", "peer"),
        ("peer title: ", "peer"),
        ('peer "supp', ("AND", "peer", "supp")),
        ('peer "', "peer"),
        ("peer OR", "peer"),
        ("peer NOT", "peer"),
        ("peer -", "peer"),
        ("peer year:>", "peer"),
        ("peer /", "peer"),
        ("peer AND", "peer"),
    ],
)
def test_trailing_incomplete_input_is_ignored(text: str, expected: object) -> None:
    assert shape(text) == expected


def test_unclosed_regex_at_the_end_is_closed() -> None:
    node = parse("peer /recov").root
    assert isinstance(node, And)
    regex = node.children[1]
    assert isinstance(regex, Regex) and regex.source == "recov"


def test_empty_value_in_the_middle_is_an_error() -> None:
    with pytest.raises(QueryError):
        parse("title:) x")


# -- highlighting ---------------------------------------------------------------------------


def test_highlight_terms_are_accent_insensitive_and_skip_negated_ones() -> None:
    terms = parse(
        'celik title:"peer support" -student /recover(y|ies)/ year:2012'
    ).terms_for_highlight()
    fields = [field for field, _ in terms]
    assert fields == [None, "title", None]
    celik, phrase, regex = (pattern for _, pattern in terms)
    assert celik.search("Ayşe ÇELİK wrote") and celik.search("Celik")
    assert celik.search("Çelik")  # precomposed
    assert celik.search("C\u0327elik")  # decomposed accent
    assert phrase.search("Peer\nSupport")
    assert regex.search("Recoveries")
    assert not parse("-student").terms_for_highlight()


# -- narrowing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "peer", True),
        ("peer", "peer support", True),
        ("peer", "peer -student", True),
        ("peer support", "peer supporters", True),
        ("peer", "peers", True),
        ("peer", "peer year:2012", True),
        ('"peer s', '"peer su', False),  # "s" is a whole word in the index, "su" another
        ('"peer supp', '"peer suppo', True),
        ("title:pe", "title:pee", True),
        ("title:eer", "title:peer", True),  # substring fields may grow at both ends
        ("year:2010..2020", "year:2012..2015", True),
        ("year:2010..2020", "year:2012..2025", False),
        ("pro", "prot", False),  # whole word "pro" → prefix "prot*"
        ("pro*", "prot", True),
        ("peer", "eer", False),
        ("peer", "", False),
        ("peer", "peer OR x", False),
        ("-pee", "-peer", False),
        ("a OR b", "a OR bc", False),
        ("/ab/", "/abc/", False),
        ("tag:a", "tag:ab", False),
        ("decision:include", "decision:include tag:x", True),
        ("peer support", "support peer", True),
    ],
)
def test_narrows(old: str, new: str, expected: bool) -> None:
    assert narrows(parse(old), parse(new)) is expected


def test_positions_are_not_part_of_term_identity() -> None:
    assert parse("x peer").root != parse("peer").root
    assert Text(None, "peer", position=0) == Text(None, "peer", position=7)
    assert narrows(parse("peer"), parse("x peer"))


def test_control_characters_are_removed_before_parsing() -> None:
    query = parse("peer \x1b]52;c;SGVsbG8=\x07sup\u202eport\tx")
    assert query.text == "peer support x"
    assert shape(query.text) == ("AND", "peer", "support", "x")
    assert all("\x1b" not in p.pattern for _, p in query.terms_for_highlight())
