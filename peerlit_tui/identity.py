"""Record identity: normalised DOIs, stable ids and duplicate keys.

A record's id must be the same every time the same paper is imported, from the
same file or an updated export, because annotations are keyed by it. The DOI is
the best identity there is; without one, a short hash of the normalised title,
first-author surname and year is stable across exports that spell those fields
with different case, accents or punctuation.
"""

from __future__ import annotations

import hashlib
import re

from peerlit_tui.model import Record
from peerlit_tui.text import match_key

_DOI_PREFIX = re.compile(
    r"^\s*(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)+", re.IGNORECASE
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_ANYWHERE = re.compile(r"10\.\d{4,9}/[^\s\"'<>]+")


def normalise_doi(raw: str | None) -> str:
    """Normalise a DOI: resolver prefix removed, lower-cased, trailing punctuation dropped.

    Args:
        raw: A DOI as exports write it ("https://doi.org/10.1108/X", "DOI 10.1/x [doi]").

    Returns:
        "10.xxxx/..." in lower case, or "" when `raw` holds no DOI.
    """
    if not raw:
        return ""
    text = raw.strip()
    text = _DOI_PREFIX.sub("", text)
    text = text.split()[0] if text.split() else ""
    text = text.rstrip(".,;)]}").lower()
    if _DOI.match(text):
        return text
    found = _DOI_ANYWHERE.search(raw)
    return found.group(0).rstrip(".,;)]}").lower() if found else ""


def _year_text(record: Record) -> str:
    return str(record.year) if record.year else ""


def title_key(record: Record) -> str:
    """Normalised title used in ids and duplicate detection."""
    return match_key(record.title)[:240]


def hash_id(record: Record) -> str:
    """Short hash id from normalised title, first-author surname and year.

    When a record has neither authors nor a year, its container, volume, pages and
    the start of its abstract are hashed too, so two untitled-looking records such
    as "Editorial" in different journals do not collapse into one.

    Args:
        record: A record with its title already set (derived if need be).

    Returns:
        A 12-character lower-case hexadecimal id.
    """
    parts = [title_key(record), match_key(record.first_author_family), _year_text(record)]
    if not parts[1] and not parts[2]:
        parts += [
            match_key(record.journal),
            match_key(record.volume),
            match_key(record.pages),
            match_key(record.abstract_text[:200]),
        ]
    digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()
    return digest[:12]


def record_id(record: Record) -> str:
    """The stable id of a record: its normalised DOI, else its hash id."""
    doi = normalise_doi(record.doi)
    return doi if doi else hash_id(record)


def duplicate_key(record: Record) -> str:
    """Key that likely duplicates share: title, year and first-author surname.

    Returns "" for records too thin to compare (title shorter than 12 letters),
    which are never linked automatically.
    """
    title = title_key(record)
    if len(title) < 12:
        return ""
    return f"{title}|{_year_text(record)}|{match_key(record.first_author_family)}"
