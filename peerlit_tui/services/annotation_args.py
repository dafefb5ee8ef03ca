"""The arguments of the annotation service's setters, checked and put in a canonical form.

Record ids and tags come from the command line, the app and sync; each setter takes
one or many, so they are validated, de-duplicated in order (tags by their folded
key) and named for messages here, once.
"""

from __future__ import annotations

from collections.abc import Iterable

from peerlit_tui.annotation import tag_key, validate_record_id, validate_tag

#: One record id or several.
Ids = str | Iterable[str]


def _ids(ids: Ids) -> list[str]:
    items = [ids] if isinstance(ids, str) else list(ids)
    if not items:
        raise ValueError("no record ids given")
    return list(dict.fromkeys(validate_record_id(i) for i in items))


def _tags(tags: str | Iterable[str]) -> list[str]:
    items = [tags] if isinstance(tags, str) else list(tags)
    if not items:
        raise ValueError("no tags given")
    unique: dict[str, str] = {}
    for tag in items:
        clean = validate_tag(tag)
        unique.setdefault(tag_key(clean), clean)
    return list(unique.values())


def _quote(items: list[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _where(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{len(ids)} records"
