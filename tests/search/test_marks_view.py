"""The annotation snapshot's overlay behaves like a copied dict, and old views stay as they were."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlit_tui.services import search_marks
from peerlit_tui.services.search_marks import BLANK, Marks, MarksView

MARKS = [
    BLANK,
    Marks(frozenset({"a"}), "", "", 0, "unread", "include"),
    Marks(frozenset(), "note", "note", 3, "read", "undecided"),
]

changes = st.lists(
    st.dictionaries(st.integers(0, 30), st.sampled_from(MARKS), max_size=5), max_size=40
)


@given(base=st.dictionaries(st.integers(0, 30), st.sampled_from(MARKS[1:])), steps=changes,
       limit=st.sampled_from([1, 3, 512]))  # fmt: skip
def test_overlay_equals_copying_the_dict(
    base: dict[int, Marks], steps: list[dict[int, Marks]], limit: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_marks, "OVERLAY_LIMIT", limit)
        view, expected = MarksView(dict(base)), dict(base)
        history = [(view, dict(expected))]
        for step in steps:
            view = view.changed(step)
            for row, marks in step.items():
                if marks == BLANK:
                    expected.pop(row, None)
                else:
                    expected[row] = marks
            history.append((view, dict(expected)))
    for old_view, old_expected in history:  # earlier snapshots are unchanged
        assert dict(old_view.items()) == old_expected
        assert len(old_view) == len(old_expected)
        for row in range(32):
            assert old_view.get(row, BLANK) == old_expected.get(row, BLANK)
            assert (row in old_view) == (row in old_expected)
