"""Library-wide vocabulary edits: renaming, merging and deleting tags, and the reasons list.

These change many records (a tag) or none (the project's exclusion reasons) in one
transaction; `AnnotationService` gets them from `VocabularyEdits`, which needs only
the open store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlit_tui.annotation import tag_key, validate_reason, validate_tag
from peerlit_tui.storage.annotation_edits import retag_edits
from peerlit_tui.storage.annotation_history import Edit, Transaction
from peerlit_tui.storage.annotation_index import REASONS_FIELD, AnnotationIndex
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.storage.annotation_store import AnnotationStore


class VocabularyEdits:
    """Tag and exclusion-reason edits over `self.store` (mixed into `AnnotationService`)."""

    store: AnnotationStore

    def rename_tag(self, old: str, new: str) -> Transaction | None:
        """Rename a tag on every record holding it (also to change its spelling).

        Renaming onto a tag that already exists merges the two.

        Raises:
            ValueError: When no record holds `old`, or a tag is invalid.
        """
        source, target = validate_tag(old), validate_tag(new)
        return self._retag(f"rename tag {source!r} to {target!r}", source, target, merge=False)

    def merge_tags(self, source: str, target: str) -> Transaction | None:
        """Merge tag `source` into `target`: records holding `source` get `target` instead.

        Raises:
            ValueError: When either tag is not in use or both are the same tag.
        """
        a, b = validate_tag(source), validate_tag(target)
        if tag_key(a) == tag_key(b):
            raise ValueError(f"{a!r} and {b!r} are the same tag; use rename to respell it")
        return self._retag(f"merge tag {a!r} into {b!r}", a, b, merge=True)

    def delete_tag(self, tag: str) -> Transaction | None:
        """Remove a tag from every record.

        Raises:
            ValueError: When no record holds the tag.
        """
        name = validate_tag(tag)
        return self._retag(f"delete tag {name!r}", name, None, merge=False)

    def _retag(
        self, label: str, source: str, target: str | None, *, merge: bool
    ) -> Transaction | None:
        return self.store.transact(
            label, lambda index: retag_edits(index, source, target, merge=merge)
        )

    def add_reason(self, reason: str) -> Transaction | None:
        """Add an exclusion reason to the project's list; None if it is already there."""
        text = validate_reason(reason)

        def build(index: AnnotationIndex) -> list[Edit]:
            if any(fold(r) == fold(text) for r in index.reasons):
                return []
            return [Edit(None, REASONS_FIELD, (*index.reasons, text))]

        return self.store.transact(f"add exclusion reason {text!r}", build)

    def remove_reason(self, reason: str) -> Transaction | None:
        """Remove an exclusion reason from the list; records that use it keep their text.

        Raises:
            ValueError: When the reason is not in the list.
        """
        text = validate_reason(reason)

        def build(index: AnnotationIndex) -> list[Edit]:
            kept = tuple(r for r in index.reasons if fold(r) != fold(text))
            if len(kept) == len(index.reasons):
                raise ValueError(f"{text!r} is not in the list of exclusion reasons")
            return [Edit(None, REASONS_FIELD, kept)]

        return self.store.transact(f"remove exclusion reason {text!r}", build)
