"""The detail pane on its own, in a small host app: sections, collapsing, highlighting, cost."""

from __future__ import annotations

import re
import statistics
import time

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from peerlit_tui.model import Author, Provenance, Record, Section
from peerlit_tui.ui.keys import in_context
from peerlit_tui.ui.widgets.detail_pane import (
    COLLAPSED_MARK,
    EXPANDED_MARK,
    HIGHLIGHT,
    AbstractSection,
    DetailPane,
    section_key,
)

EMERALD_HEADINGS = [
    ("Purpose", "purpose"),
    ("Design/methodology/approach", "design"),
    ("Findings", "findings"),
    ("Originality/value", "originality"),
]
WORDS = (
    "peer support workers describe recovery oriented practice in community mental health "
    "services and the findings suggest that shared lived experience builds trust"
).split()


def structured(
    record_id: str, headings: list[tuple[str, str]] = EMERALD_HEADINGS, *, repeat: int = 1
) -> Record:
    sections = [
        Section(heading, f"{heading} text of {record_id}. " + " ".join(WORDS * repeat), key)
        for heading, key in headings
    ]
    return Record(
        id=record_id,
        type="article",
        title=f"Peer support in practice ({record_id})",
        authors=[Author("Gray, Benjamin", "Gray", "Benjamin"), Author("Lee, Ann", "Lee", "Ann")],
        date="2021-03",
        year=2021,
        journal="Mental Health Review Journal",
        volume="26",
        issue="2",
        pages="101-115",
        doi="10.1108/mhrj-01-2021-0001",
        keywords=["peer support", "recovery"],
        abstract=sections,
        listing_count=42,
        sources=[Provenance("/exports/emerald_results.txt", "emerald", "Emerald Insight", line=7)],
    )


def plain(record_id: str, text: str) -> Record:
    return Record(id=record_id, title="Unstructured", abstract=[Section("", text)])


#: The main screen's reading keys, which act on the detail pane wherever the focus is.
READING_ACTIONS = {"next_section", "previous_section", "toggle_section", "collapse_all",
                   "expand_all"}  # fmt: skip


class DetailHost(App[None]):
    """Hosts a detail pane with the screen's reading keys; records `CollapsedChanged`."""

    BINDINGS = [  # noqa: RUF012 - a test host
        Binding(row.keys, row.action, row.description, id=row.id)
        for row in in_context("main") if row.action in READING_ACTIONS
    ]  # fmt: skip

    def _pane(self) -> DetailPane:
        return self.query_one(DetailPane)

    def action_next_section(self) -> None:
        self._pane().action_next_section()

    def action_previous_section(self) -> None:
        self._pane().action_previous_section()

    def action_toggle_section(self) -> None:
        self._pane().action_toggle_section()

    def action_collapse_all(self) -> None:
        self._pane().action_collapse_all()

    def action_expand_all(self) -> None:
        self._pane().action_expand_all()

    def __init__(self) -> None:
        super().__init__()
        self.animation_level = "none"  # scroll at once: keys are checked, not animations
        self.changes: list[frozenset[str]] = []

    def compose(self) -> ComposeResult:
        yield DetailPane(id="detail")

    def on_detail_pane_collapsed_changed(self, message: DetailPane.CollapsedChanged) -> None:
        self.changes.append(message.keys)


def heading_text(widget: AbstractSection) -> str:
    return str(widget.visual)


def static_text(pane: DetailPane, selector: str) -> str:
    return str(pane.query_one(selector, Static).visual)


async def test_structured_abstract_gets_one_section_per_heading() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        await pilot.pause()
        sections = pane.section_widgets
        assert [w.key for w in sections] == ["purpose", "design", "findings", "originality"]
        assert heading_text(sections[2]) == f"{EXPANDED_MARK} Findings"
        assert str(sections[2].body.visual).startswith("Findings text of a.")
        assert all(w.body.display for w in sections)

        pane.show_record(plain("b", "One paragraph of text."))
        await pilot.pause()
        (only,) = pane.section_widgets
        assert only.key == "abstract"
        assert heading_text(only) == f"{EXPANDED_MARK} Abstract"


async def test_metadata_block_lists_the_record_fields() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        duplicates = [{"id": "0123abcd", "reason": "same title", "status": "linked"}]
        pane.show_record(structured("a"), duplicates=duplicates)
        await pilot.pause()
        meta = static_text(pane, "#detail-meta")
        for expected in (
            "Gray, Benjamin; Lee, Ann",
            "2021-03",
            "Mental Health Review Journal, 26(2), 101-115",
            "10.1108/mhrj-01-2021-0001",
            "peer support; recovery",
            "emerald_results.txt (Emerald Insight, line 7)",
            "Listing   42",
            "0123abcd (same title, linked)",
        ):
            assert expected in meta
        assert static_text(pane, "#detail-title") == "Peer support in practice (a)"


async def test_derived_title_is_visibly_marked() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(DetailPane)
        record = plain("d", "Text.")
        record.title = "Peer workers in crisis teams"
        record.title_derived = True
        pane.show_record(record)
        await pilot.pause()
        title = static_text(pane, "#detail-title")
        assert title.startswith("≈ Peer workers in crisis teams")
        assert "title derived from the abstract" in title


async def test_collapsed_sections_stay_collapsed_across_records() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        pane.focus()
        await pilot.pause()
        # Move to the third section heading (Findings) and collapse it with Enter.
        await pilot.press("right_curly_bracket", "right_curly_bracket", "right_curly_bracket")
        findings = pane.section_widgets[2]
        assert app.focused is findings
        await pilot.press("enter")
        assert findings.collapsed and not findings.body.display
        assert heading_text(findings).startswith(f"{COLLAPSED_MARK} Findings")
        assert pane.collapsed_keys == {"findings"}
        assert app.changes[-1] == {"findings"}

        # A record whose Findings section sits elsewhere: it is collapsed there too.
        other = structured("b", [("Findings", "findings"), ("Purpose", "purpose")])
        pane.show_record(other)
        await pilot.pause()
        first, second = pane.section_widgets
        assert (first.key, first.collapsed, first.body.display) == ("findings", True, False)
        assert (second.key, second.collapsed, second.body.display) == ("purpose", False, True)

        # Space on a focused heading expands it again, for every later record as well.
        first.focus()
        await pilot.press("space")
        assert (first.collapsed, pane.collapsed_keys) == (False, frozenset())
        pane.show_record(structured("c"))
        await pilot.pause()
        assert not any(w.collapsed for w in pane.section_widgets)


async def test_section_widgets_are_updated_in_place_not_remounted() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        await pilot.pause()
        first_four = list(pane.section_widgets)
        bodies = [w.body for w in first_four]

        pane.show_record(structured("b", EMERALD_HEADINGS[:2]))
        await pilot.pause()
        assert pane.section_widgets == first_four[:2]
        # The unused pool entries stay mounted but hidden.
        assert all(w.is_attached and not w.display for w in first_four[2:])
        assert all(not w.body.display for w in first_four[2:])

        five = [*EMERALD_HEADINGS, ("Research limitations/implications", "limitations")]
        pane.show_record(structured("c", five))
        await pilot.pause()
        widgets = pane.section_widgets
        assert widgets[:4] == first_four  # same objects, shown again
        assert [w.body for w in widgets[:4]] == bodies
        assert len(pane.query(AbstractSection)) == 5  # the pool grew by exactly one
        assert widgets[2].body.visual is not None
        assert str(widgets[2].body.visual).startswith("Findings text of c.")


async def test_collapse_all_and_expand_all_keys() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        pane.focus()
        await pilot.pause()
        await pilot.press("minus")
        assert all(w.collapsed for w in pane.section_widgets)
        assert pane.collapsed_keys == {"purpose", "design", "findings", "originality"}

        pane.show_record(structured("b", [("Purpose", "purpose"), ("Background", "background")]))
        await pilot.pause()
        purpose, background = pane.section_widgets
        assert purpose.collapsed and not background.collapsed  # new key: shown

        await pilot.press("plus")
        assert not any(w.collapsed for w in pane.section_widgets)
        assert pane.collapsed_keys == set()


async def test_z_toggles_the_focused_or_first_visible_section() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        pane.focus()
        await pilot.pause()
        await pilot.press("z")  # nothing focused inside: the topmost section
        assert pane.collapsed_keys == {"purpose"}
        await pilot.press("left_curly_bracket")  # from the pane: the last section
        assert app.focused is pane.section_widgets[-1]
        await pilot.press("z")
        assert pane.collapsed_keys == {"purpose", "originality"}


async def test_clicking_a_heading_toggles_it() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        await pilot.pause()
        design = pane.section_widgets[1]
        await pilot.click(design)
        assert design.collapsed and pane.collapsed_keys == {"design"}


async def test_focus_moves_to_the_pane_when_its_section_disappears() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        await pilot.pause()
        pane.section_widgets[3].focus()
        await pilot.pause()
        pane.show_record(plain("b", "Short."))
        await pilot.pause()
        assert app.focused is pane


async def test_query_terms_are_highlighted_in_title_metadata_and_sections() -> None:
    app = DetailHost()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"), highlights=[re.compile("peer", re.IGNORECASE)])
        await pilot.pause()

        def marked(content: object) -> list[str]:
            assert isinstance(content, Content)
            return [content.plain[s.start : s.end] for s in content.spans if s.style == HIGHLIGHT]

        title = pane.query_one("#detail-title", Static).visual
        assert marked(title) == ["Peer"]
        assert "peer" in marked(pane.query_one("#detail-meta", Static).visual)
        body = pane.section_widgets[0].body.visual
        assert marked(body) == ["peer"]

        pane.show_record(structured("a"))  # no query: no marks
        await pilot.pause()
        assert marked(pane.section_widgets[0].body.visual) == []


async def test_long_text_wraps_and_the_pane_scrolls_with_the_keyboard() -> None:
    app = DetailHost()
    async with app.run_test(size=(50, 16)) as pilot:
        pane = app.query_one(DetailPane)
        long_word = "W" * 10_000
        pane.show_record(plain("long", f"start {long_word} end " + " ".join(WORDS * 20)))
        pane.focus()
        await pilot.pause()
        body = pane.section_widgets[0].body
        assert body.size.width <= 50
        assert body.size.height > 200  # the 10,000-character word is folded, not cut
        await pilot.press("pagedown")
        assert pane.scroll_y > 0
        await pilot.press("end")
        assert pane.scroll_y == pane.max_scroll_y
        await pilot.press("home", "j", "j")
        assert pane.scroll_y == 2


async def test_showing_the_same_record_again_keeps_the_scroll_position() -> None:
    app = DetailHost()
    async with app.run_test(size=(60, 14)) as pilot:
        pane = app.query_one(DetailPane)
        record = structured("a", repeat=3)
        pane.show_record(record)
        await pilot.pause()
        pane.scroll_to(y=8, animate=False, immediate=True)
        await pilot.pause()
        pane.show_record(record)  # e.g. after the annotation changed
        await pilot.pause()
        assert pane.scroll_y == 8
        pane.show_record(structured("b", repeat=3))
        await pilot.pause()
        assert pane.scroll_y == 0


async def test_no_record_shows_a_message_and_no_sections() -> None:
    app = DetailHost()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_record(structured("a"))
        await pilot.pause()
        pane.show_record(None)
        await pilot.pause()
        assert static_text(pane, "#detail-title") == "No record selected."
        assert pane.section_widgets == []
        assert not any(w.display for w in pane.query(AbstractSection))
        assert not pane.query_one("#detail-meta").display


def test_section_key_falls_back_to_the_heading_and_then_to_abstract() -> None:
    assert section_key(Section("Findings", "x", "findings")) == "findings"
    assert section_key(Section("Résumé Étendu", "x")) == "resume etendu"
    assert section_key(Section("", "x")) == "abstract"


async def test_show_record_with_a_1_5_kb_abstract_is_cheap() -> None:
    """Median CPU time of one swap, until it is laid out and painted (target ~15 ms)."""
    app = DetailHost()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(DetailPane)
        records = [structured(f"r{i}", repeat=2) for i in range(12)]
        assert 1400 <= len(records[0].abstract_text) <= 1700
        pattern = [re.compile("peer", re.IGNORECASE)]
        pane.show_record(records[-1], highlights=pattern)
        await pilot.pause()
        costs = []
        for record in records:
            start = time.process_time()
            pane.show_record(record, highlights=pattern)
            await pilot.pause()
            costs.append(time.process_time() - start)
        # Generous bound for a noisy machine; remounting sections per record costs 3-4x.
        assert statistics.median(costs) < 0.06
