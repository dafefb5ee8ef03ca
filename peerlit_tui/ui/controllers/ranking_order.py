"""The priority sort of the record list: undecided records first, best-ranked first.

Runs in the filter worker. The rank position of every list record is built once per
ranking (`positions_for`) and reused for every query until the next retrain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peerlit_tui.services.screening_queue import screened_ids

if TYPE_CHECKING:
    # numpy loads with the first ranking, never before the first paint.
    import numpy as np

    from peerlit_tui.services.ranking import RankingResult, RankingService


@dataclass(frozen=True, slots=True)
class Positions:
    """Rank position of every list record, for sorting a result (built once per ranking)."""

    ranking: RankingResult | None
    ids: list[str]
    rank: np.ndarray  # rank position per list index; unranked records get len(ids)
    column: dict[str, int]


def priority_order(
    service: RankingService | None,
    rows: list[int],
    reverse: bool,
    ids: list[str],
    positions: Positions | None,
) -> list[int]:
    """The priority order of `rows` (list indexes into `ids`).

    Undecided records first (for this reviewer), best-ranked first (`reverse`:
    least likely first), records the ranking has not scored after them, then the
    decided ones in the same order. Without a ranking (`positions` None): undecided
    first, in library order.
    """
    import numpy as np

    if not rows:
        return []
    order = np.asarray(rows, dtype=np.int64)
    rank = positions.rank[order] if positions is not None else order
    if reverse and positions is not None:
        rank = np.where(rank < len(ids), len(ids) - 1 - rank, rank)
    done = np.zeros(len(ids), dtype=bool)
    if service is not None:
        column = positions.column if positions is not None else columns_of(ids)
        decided = [column[rid] for rid in screened_ids(service.annotations) if rid in column]
        done[decided] = True
    flags = done[order]
    ordered: list[int] = order[np.lexsort((rank, flags))].tolist()
    return ordered


def positions_for(
    service: RankingService | None, ids: list[str], cached: Positions | None
) -> Positions | None:
    """The rank positions of `ids` in the service's ranking (`cached` when still current)."""
    result = service.result if service is not None else None
    if service is None or result is None:
        return None
    if (
        cached is not None
        and cached.ranking is result
        and cached.ids is ids
        and len(cached.rank) == len(ids)  # the columns grow in place on a reload
    ):
        return cached
    import numpy as np

    column = columns_of(ids)
    rank = np.full(len(ids), len(ids), dtype=np.int64)
    at = np.fromiter((column.get(rid, -1) for rid in service.ranked_ids()), dtype=np.int64)
    known = at >= 0
    rank[at[known]] = np.arange(len(at), dtype=np.int64)[known]
    return Positions(result, ids, rank, column)


def columns_of(ids: Sequence[str]) -> dict[str, int]:
    """List index of every id."""
    return {rid: n for n, rid in enumerate(ids)}
