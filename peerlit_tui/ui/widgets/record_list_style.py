"""How the record list looks: its component classes, default CSS, row styles and scrollbar.

The row renderer (`record_row`) styles each part of a row with one of these
component classes, so a theme or a user's CSS can restyle decisions, highlights
and derived titles without touching the list's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rich.segment import Segment
from rich.style import Style
from textual.scrollbar import ScrollBar, ScrollBarRender

from peerlit_tui.ui.widgets.record_row import RowStyles

#: The component classes a row is drawn with.
COMPONENT_CLASSES: Final[set[str]] = {
    "record-list--cursor",
    "record-list--muted",
    "record-list--derived",
    "record-list--highlight",
    "record-list--include-word",
    "record-list--exclude-word",
    "record-list--include",
    "record-list--exclude",
    "record-list--maybe",
    "record-list--marks",
    "record-list--empty",
}

#: The list's default CSS: colours from the theme's variables.
DEFAULT_CSS: Final[str] = """
    RecordList {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        & > .record-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .record-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .record-list--muted { color: $text-muted; }
        & > .record-list--derived { color: $text-muted; text-style: italic; }
        & > .record-list--highlight { color: $text-accent; text-style: bold underline; }
        & > .record-list--include-word { color: $text-success; text-style: bold; }
        & > .record-list--exclude-word { color: $text-error; text-style: bold; }
        & > .record-list--include { color: $text-success; text-style: bold; }
        & > .record-list--exclude { color: $text-error; text-style: bold; }
        & > .record-list--maybe { color: $text-warning; text-style: bold; }
        & > .record-list--marks { color: $text-secondary; }
        & > .record-list--empty { color: $text-muted; text-style: italic; }
    }
    """


def bar_glyphs(bar: ScrollBar, height: int) -> list[Segment]:
    """The vertical scrollbar's glyphs for a list `height` rows high (Textual's own drawing).

    The list compares them before and after a new row count, to repaint the bar
    only when its thumb moves or changes size.
    """
    drawn = ScrollBarRender.render_bar(
        size=bar.size.height,
        virtual_size=height,
        window_size=bar.window_size,
        position=bar.position,
    )
    return list(drawn.segments)


def row_styles(component: Callable[..., Style], is_cursor: bool, base: Style) -> RowStyles:
    """The styles of a row, from the widget's component classes over its `base` style.

    Args:
        component: The widget's `get_component_rich_style`.
        is_cursor: The row is under the cursor.
        base: The widget's own style.
    """
    cursor = component("record-list--cursor", partial=True) if is_cursor else Style()
    plain = base + cursor
    return RowStyles(
        plain=plain,
        muted=base + component("record-list--muted", partial=True) + cursor,
        derived=plain + component("record-list--derived", partial=True),
        highlight=component("record-list--highlight", partial=True),
        marks=base + component("record-list--marks", partial=True) + cursor,
        decisions={
            name: base + component(f"record-list--{name}", partial=True) + cursor
            for name in ("include", "exclude", "maybe")
        },
        words={
            kind: component(f"record-list--{kind}-word", partial=True)
            for kind in ("include", "exclude")
        },
    )
