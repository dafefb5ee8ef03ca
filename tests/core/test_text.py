"""Cleaning of untrusted text: escape sequences, C0/C1 controls, bidi overrides, whitespace."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peerlit_tui.text import clean_block, clean_line, clean_note, fold, match_key, shorten

CONTROL = set(range(0x00, 0x09)) | set(range(0x0B, 0x20)) | set(range(0x7F, 0xA0))


def _has_control(text: str) -> bool:
    return any(ord(ch) in CONTROL for ch in text)


def test_osc52_clipboard_write_is_removed_with_its_payload() -> None:
    hostile = "Peer support\x1b]52;c;cm0gLXJmIH4=\x07 in wards"
    assert clean_line(hostile) == "Peer support in wards"


def test_st_terminated_osc_and_csi_sequences_are_removed() -> None:
    text = "\x1b]0;owned\x1b\\Title \x1b[2J\x1b[31mred\x1b[0m end"
    assert clean_line(text) == "Title red end"


def test_unterminated_osc_cannot_swallow_later_fields_beyond_its_own_text() -> None:
    # The sequence runs to the end of this field only; nothing is left to act on.
    assert clean_line("ok \x1b]8;;http://evil") == "ok"


def test_c1_mojibake_is_repaired_to_cp1252_punctuation() -> None:
    assert clean_line("goal\x96based \x93quoted\x94 it\x92s") == "goal–based “quoted” it’s"


def test_undefined_c1_and_c0_controls_are_dropped() -> None:
    assert clean_line("a\x00b\x07c\x08d\x9de\x81f") == "abcdef"


def test_bidi_overrides_are_dropped() -> None:
    assert clean_line("abc\u202egnp.exe\u202c") == "abcgnp.exe"


def test_markup_is_kept_literally() -> None:
    assert clean_line("[bold]x[/] [@click=app.quit]q[/]") == "[bold]x[/] [@click=app.quit]q[/]"


def test_whitespace_is_normalised() -> None:
    assert clean_line("  a \t b\r\n c\u00a0 d ") == "a b c d"
    assert clean_block("one\r\ntwo\r\n\r\n\r\n  three  ") == "one two\n\nthree"
    assert clean_note("line 1  \r\n  line 2\n\n\n") == "line 1\n  line 2"


def test_fold_and_match_key() -> None:
    assert fold("Çelik MÜLLER") == "celik muller"
    assert match_key("Peer Support — A Review!") == match_key("peer support: a review")


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("The purpose of this paper is long", 20) == "The purpose of this…"


@given(st.text())
def test_no_control_character_survives_cleaning(text: str) -> None:
    for cleaned in (clean_line(text), clean_block(text), clean_note(text)):
        assert not _has_control(cleaned)
        assert "\x1b" not in cleaned


@given(
    st.text(alphabet=st.sampled_from(["\x1b", "]", "[", "5", "2", ";", "\x07", "\\", "a", "\x9b"]))
)
def test_escape_fragments_never_leave_an_escape(text: str) -> None:
    assert "\x1b" not in clean_line(text)
    assert "\x9b" not in clean_line(text)


@given(st.text())
def test_fast_fold_equals_whole_text_decomposition(text: str) -> None:
    from peerlit_tui.text import _fold_run

    assert fold(text) == _fold_run(text)


@given(st.text())
def test_whitespace_collapsing_matches_the_regex_definition(text: str) -> None:
    import re

    from peerlit_tui.text import strip_controls

    assert clean_line(text) == re.sub(r"\s+", " ", strip_controls(text)).strip()
