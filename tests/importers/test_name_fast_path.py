"""The fast path for common name shapes reads every name exactly as the general rules do.

`authors._parse_name_fast` handles "Gray, Benjamin", "B T Gray", "Benjamin Gray" and
the like without the general rules; wherever it gives an answer, that answer must be
the general rules' answer. The names checked are every author name the importers
meet in the test exports (and in the shared corpus of real exports when it is on this
machine), plus hand-picked names near the edges of each shape.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peerlit_tui import authors
from peerlit_tui.importers.pipeline import read_file
from tests.conftest import FIXTURES, SHARED_DATA

#: Names at the edges of the fast shapes: suffixes, groups, particles, ids, punctuation.
EDGE_NAMES = [
    "Gray, Benjamin Thomas", "Smith, Jr.", "John Smith, Jr.", "Smith, ", ", Smith", "Gray,B.",
    "Gray, B;", "Yagai, Tsuyoshi (7003612345)", "D A Wirshing", "C. Arkenau", "J.-P. Sartre",
    "Nazzaro P", "Paolo Nazzaro", "Smith Jr", "Smith III", "JA Smith", "GRAY B T", "E J Reimer",
    "R. L. Whistler", "Jay N Cohn", "Ludwig van Beethoven", "Van der Berg J. A.",
    "Quintanilla Dieck L.", "UKPDS Study Group", "Study Group.", "Group. Study",
    "American Diabetes Association", "The Network", "Anne-Claude Bedard", "M Döpfner",
    "Çelik A", "O'Brien Patrick", "Simon Lawton-Smith", "A B", "A B C", "AB CD", "Smith",
    "  Gray,   Benjamin  ", "Gray\tB.", "Gray\x1b[31m B", "K. Kelvin\u212a", "Hans van",
    "Maria de la Cruz", "A. de la Cruz", "J Smith II", "Smith J.-P.", "X.Y. Zhang",
    "ΣΟΦΙΑ Σ", "Jr Smith", "Mc Donald", "Le Pen M", "de Gaulle, Charles", "Sr.",
    "Hospital Staff", "hospital. Ward", "a b c", "lowercase name", "ABCDE Fghij",
]  # fmt: skip


def _names_in(paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every raw name the importers hand to the name parser while reading `paths`."""
    seen: set[str] = set()
    cached = authors._parse_name_cached

    def recording(raw: str) -> object:
        seen.add(raw)
        return cached(raw)

    with monkeypatch.context() as patch:
        patch.setattr(authors, "_parse_name_cached", recording)
        for path in paths:
            read_file(path)
    return seen


def _export_files() -> list[Path]:
    files = [p for p in sorted(FIXTURES.rglob("*")) if p.is_file() and p.suffix != ".md"]
    if SHARED_DATA.is_dir():
        files += [
            p
            for p in sorted(SHARED_DATA.rglob("*"))
            if p.is_file() and p.stat().st_size < 5_000_000 and p.suffix.lower() != ".md"
        ]
    return files


def _check(names: set[str]) -> int:
    """Assert fast == general wherever the fast path answers; return how often it did."""
    answered = 0
    for raw in sorted(names):
        fast = authors._parse_name_fast(raw)
        if fast is not None:
            answered += 1
            assert fast == authors._parse_name_general(raw), raw
    return answered


def test_fast_path_agrees_on_edge_names() -> None:
    answered = _check(set(EDGE_NAMES))
    # The common shapes among them do take the fast path (it is not dead code).
    assert answered >= 20
    assert authors._parse_name_fast("Smith, Jr.") is None
    assert authors._parse_name_fast("UKPDS Study Group") is None


def test_fast_path_agrees_on_every_name_in_the_test_exports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = _names_in(_export_files(), monkeypatch)
    assert len(names) > 300
    answered = _check(names)
    # Nearly every real name has one of the fast shapes.
    assert answered > len(names) // 2


def test_parse_name_is_unchanged_by_the_fast_path() -> None:
    authors._parse_name_cached.cache_clear()
    for raw in EDGE_NAMES:
        assert authors.parse_name(raw) == authors._parse_name_general(raw)
