"""How decisions look on screen: one glyph per decision, and the glyph with its word."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from peerlit_tui.annotation import DECISIONS

#: The list's one-cell mark of each decision.
DECISION_GLYPHS: Final[Mapping[str, str]] = {
    "include": "✓",
    "exclude": "✗",
    "maybe": "?",
    "undecided": "·",
}
#: The annotation panel's glyph and word.
DECISION_LABELS: Final[Mapping[str, str]] = {
    name: f"{DECISION_GLYPHS[name]} {name}" for name in DECISIONS
}
