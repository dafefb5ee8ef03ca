"""The spaced-hyphen test of the structure pre-check never misses a spaced hyphen.

`sections._spaced_hyphen` may say True too often (it falls back to a coarser
whole-text test for texts with many hyphens) but never too rarely, or an abstract
with "Purpose - ..." headings could be left unsplit.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from peerlit_tui import sections


def _has_spaced_hyphen(text: str) -> bool:
    return any(
        ch == "-" and 0 < at < len(text) - 1 and text[at - 1].isspace() and text[at + 1].isspace()
        for at, ch in enumerate(text)
    )


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["a", "-", " ", " - ", "\t", "\u00a0", "x-y", "\n"]), max_size=60))
def test_spaced_hyphen_is_never_missed(pieces: list[str]) -> None:
    text = "".join(pieces)
    if _has_spaced_hyphen(text):
        assert sections._spaced_hyphen(text)


def test_exact_on_few_hyphens_and_coarse_only_on_many() -> None:
    assert not sections._spaced_hyphen("peer-led, well-being, follow-up")
    assert sections._spaced_hyphen("Purpose - the aim")
    assert sections._spaced_hyphen("Purpose\t-\u00a0the aim")
    assert not sections._spaced_hyphen("no hyphen at all")
    assert not sections._spaced_hyphen("- leading and trailing -")
    many = "a-b " * 20
    assert not sections._spaced_hyphen(many)  # printable, no " - ": the coarse test says no
    assert sections._spaced_hyphen(many + "end - here")


def test_split_abstract_still_finds_spaced_dash_headings() -> None:
    text = (
        "Purpose - This paper studies peer support in well-being follow-up work. "
        "Design/methodology/approach - A survey of 200 peer-led groups was run. "
        "Findings - Peer-led groups lasted longer."
    )
    keys = [s.key for s in sections.split_abstract(text)]
    assert keys == ["purpose", "design", "findings"]
