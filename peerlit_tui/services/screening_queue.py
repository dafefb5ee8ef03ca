"""What is left for this reviewer to screen: final decisions and the reviewer's own.

With team screening a record one reviewer decided stays "undecided" in its final
decision until the others decide it too (`storage.annotation_team`). For the
reviewer who did, it is done: the relevance ranking's "next undecided" and the
priority order leave it out for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlit_tui.screening_decisions import screened

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService


def decided_by_me(annotations: AnnotationService, record_id: str) -> bool:
    """True when this reviewer has decided the record (whatever the others did)."""
    store = annotations.store
    with store.index_lock:
        decision, _ = store.index.team.get(record_id, annotations.reviewer_key)
    return screened(decision)


def screened_ids(annotations: AnnotationService) -> set[str]:
    """Records not to screen again: a final decision, or this reviewer's own one.

    O(decided records): for ordering a result in a worker, not for every key.
    """
    done = {a.record_id for a in annotations.all() if a.decision != "undecided"}
    store, me = annotations.store, annotations.reviewer_key
    with store.index_lock:
        votes = list(store.index.team.by_record.items())
    done.update(rid for rid, by in votes if me in by and screened(by[me][0]))
    return done
