"""Include/exclude word patterns, applied the way the UI's renderer applies them."""

from __future__ import annotations

import pytest

from peerlit_tui.highlight import (
    MAX_WORD_LENGTH,
    clean_word,
    compile_highlights,
    compile_words,
    unique_words,
    word_key,
    words_found,
)
from peerlit_tui.ui.text_render import highlighted, match_spans


def marked(text: str, words: list[str]) -> list[str]:
    pattern = compile_words(words)
    assert pattern is not None
    return [text[a:b] for a, b in match_spans(text, [pattern])]


@pytest.mark.parametrize(
    ("words", "text", "expected"),
    [
        (["rat"], "Rat, rats, rather and separate; RAT.", ["Rat", "RAT"]),
        (
            ["child*"],
            "child, Children, childhood; a grandchild",
            ["child", "Children", "childhood"],
        ),
        (["randomi*ed"], "Randomised and RANDOMIZED, randomly", ["Randomised", "RANDOMIZED"]),
        (["*ology"], "psychology and Sociology", ["psychology", "Sociology"]),
        (["celik"], "Çelik and ÇELİK and celik", ["Çelik", "ÇELİK", "celik"]),
        (["Çelik"], "Celik wrote", ["Celik"]),
        (["peer-led"], "peer led, peer–led, Peer-Led", ["peer led", "peer–led", "Peer-Led"]),
        (["Straße"], "STRASSE or straße", ["STRASSE", "straße"]),
        (["peer", "peer support"], "peer support groups", ["peer support"]),
        (["e.g."], "e.g. this, eg that", ["e.g"]),
        (["covid-19"], "COVID-19 and covid 19 and covid-190", ["COVID-19", "covid 19"]),
        (["a+b"], "a+b", ["a+b"]),
    ],
)
def test_words_match_as_rayyan_does(words: list[str], text: str, expected: list[str]) -> None:
    assert marked(text, words) == expected


def test_decomposed_accents_are_matched() -> None:
    assert marked("C\u0327elik said", ["celik"]) == ["C\u0327elik"]


def test_regex_characters_in_words_are_literal() -> None:
    assert marked("x(y) and xy", ["x(y)"]) == ["x(y"]
    assert compile_words(["[a-z]+"]) is not None
    assert marked("a-z and az", ["[a-z]+"]) == ["a-z"]


def test_bad_entries_are_skipped_and_empty_lists_give_nothing() -> None:
    assert compile_words([]) is None
    assert compile_words(["*", "  ", "--"]) is None
    assert marked("ok fine", ["*", "ok"]) == ["ok"]


def test_compile_highlights_kinds_and_rendering() -> None:
    found = compile_highlights(["peer support"], [])
    assert [h.kind for h in found] == ["include"]
    both = compile_highlights(["peer"], ["rat"])
    assert [h.kind for h in both] == ["include", "exclude"]
    text = highlighted("Peer work in rats and a rat", [both[1].pattern], "red")
    assert [(s.start, s.end, str(s.style)) for s in text.spans] == [(24, 27, "red")]


def test_clean_word_and_keys() -> None:
    assert clean_word("  peer \x1b[31m support ") == "peer support"
    assert word_key("Peer-Support") == word_key("peer  support") == "peer support"
    assert word_key("Çelik") == word_key("celik")
    with pytest.raises(ValueError, match="empty"):
        clean_word(" ")
    with pytest.raises(ValueError, match="longer"):
        clean_word("x" * (MAX_WORD_LENGTH + 1))
    assert unique_words(["Trial", "trial", "TRIAL*", "trial"]) == ["Trial", "TRIAL*"]
    with pytest.raises(ValueError, match="at most 2"):
        unique_words(["a", "b", "c"], limit=2)


def test_words_found_lists_matching_entries() -> None:
    text = "A randomised trial of peer support in Çelik's ward"
    assert words_found(text, ["peer support", "rat", "randomi*ed", "celik", "ward*"]) == [
        "peer support",
        "randomi*ed",
        "celik",
        "ward*",
    ]


def test_many_words_stay_fast() -> None:
    import time

    words = [f"word{i}*" for i in range(200)] + ["peer support"]
    pattern = compile_words(words)
    assert pattern is not None
    text = "Peer support in mental health services. " * 100
    start = time.perf_counter()
    spans = match_spans(text, [pattern])
    assert compile_words(words) is pattern  # kept, not compiled again
    assert len(spans) == 100
    assert time.perf_counter() - start < 0.1
