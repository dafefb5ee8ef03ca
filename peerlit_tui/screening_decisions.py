"""The final decision of a record screened by several reviewers; plain logic, no I/O.

The annotation store keeps each reviewer's decision per record and derives the
record's final decision with `final_decision`, so PRISMA counts, exports, queries
and progress (which read the final decision) never see one reviewer overwrite
another. `peerlit_tui.services.agreement` uses the same rule and measures how
reviewers agree.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Final

#: The classes a reviewer's screening decision can take.
CLASSES: Final[tuple[str, ...]] = ("include", "exclude", "maybe")
#: The decision of a record no reviewer has screened.
UNDECIDED: Final = "undecided"
#: Final decision of a record whose reviewers disagree and which is not resolved.
CONFLICT: Final = "conflict"
#: Final decision of a record some but not all of its reviewers have screened.
PENDING: Final = "pending"
#: The reviewer key under which a resolution is kept (no reviewer name can take it).
RESOLUTION: Final = "@resolution"

#: A reviewer name: a letter or digit, then letters, digits, ".", "_" or "-" (it
#: may name a file later, so no spaces, slashes or leading dots).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def validate_reviewer(name: object) -> str:
    """Return a valid reviewer name.

    Raises:
        ValueError: When the name is empty, too long or holds other characters.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"invalid reviewer name {name!r}: use up to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def screened(decision: str | None) -> bool:
    """True when `decision` is a screening class, not "undecided" or missing."""
    return decision in CLASSES


def final_decision(
    decisions: Mapping[str, str],
    assigned: Collection[str],
    resolution: str | None = None,
) -> str:
    """The final decision of one record.

    The agreed decision when every assigned reviewer screened it alike; else the
    resolver's resolution; else "conflict" when the screened decisions differ, or
    "pending" when they agree so far but an assigned reviewer has not decided.
    "undecided" when nobody has screened it and nothing resolves it.

    Args:
        decisions: reviewer → this record's decision (missing or "undecided" = not
            screened). A reviewer who decided without being assigned still counts.
        assigned: The reviewers expected to screen the record.
        resolution: The resolver's decision, or None / "" when unresolved.
    """
    given = {r: d for r, d in decisions.items() if screened(d)}
    classes = set(given.values())
    everyone = all(r in given for r in assigned)
    if len(classes) == 1 and everyone:
        return next(iter(classes))
    if resolution and screened(resolution):
        return resolution
    if len(classes) > 1:
        return CONFLICT
    if not given:
        return UNDECIDED
    return PENDING
