"""Record identity: normalised DOIs, stable ids and duplicate keys.

A record's id must be the same every time the same paper is imported, from the
same file or an updated export, because annotations are keyed by it. The DOI is
the best identity there is; without one, a short hash of the normalised title,
first-author surname and year is stable across exports that spell those fields
with different case, accents or punctuation.

A DOI is not always one paper: conference supplements give many abstracts one DOI,
and exports carry wrong DOIs. Records that share a DOI but are clearly different
papers (`same_paper` is false) get the DOI plus a short hash of their title as id
(`split_id`), so none of them hides behind another. Normalised-title similarity
(rapidfuzz) decides, so that case, punctuation, a subtitle or a typo still count
as the same paper.
"""

from __future__ import annotations

import hashlib
import re

from peerlit_tui.model import Record
from peerlit_tui.text import fold, match_key

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


_NON_WORD = re.compile(r"[^0-9a-z]+")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")

#: Words that say little about which paper a title names (left out of blocking keys).
STOPWORDS = frozenset(
    "a an and are as at by for from in into is of on or the to with within without "
    "its their this that".split()
)


def title_words(title: str) -> str:
    """A title as lower-case ASCII words separated by single spaces (markup dropped).

    Unlike `title_key` it keeps word boundaries, which subtitle and blocking rules need.
    """
    return " ".join(_NON_WORD.split(fold(_TAG.sub(" ", title)))).strip()


def split_id(record: Record) -> str:
    """The id of a record that shares its DOI with a different paper: DOI#title-hash.

    The hash is of the normalised title, so the same paper gets the same id every
    time it is imported, and a restore of annotations by id finds it again.
    """
    doi = normalise_doi(record.doi)
    digest = hashlib.sha1(title_key(record).encode("utf-8")).hexdigest()[:6]
    return f"{doi}#{digest}"


def is_subtitle_variant(short: str, long: str, min_words: int = 3) -> bool:
    """True when `long` is `short` plus a subtitle (word-wise prefix) of enough words."""
    if len(short) > len(long):
        short, long = long, short
    words = [w for w in short.split() if w not in STOPWORDS]
    return len(words) >= min_words and (long == short or long.startswith(short + " "))


def title_similarity(a: str, b: str) -> float:
    """Similarity (0-100) of two `title_words` strings; a subtitle counts as 95."""
    if not a or not b:
        return 0.0
    from rapidfuzz import fuzz  # only comparing titles needs it, not opening a library

    score = fuzz.ratio(a, b)
    if score < 95 and is_subtitle_variant(a, b):
        return 95.0
    return score


def surnames_agree(a: str, b: str) -> bool:
    """True when two first-author surnames can be the same person (or one is unknown)."""
    return surname_keys_agree(match_key(a), match_key(b))


def surname_keys_agree(ka: str, kb: str) -> bool:
    """`surnames_agree` for surnames already reduced by `match_key`."""
    if not ka or not kb:
        return True
    if ka == kb or ka.startswith(kb) or kb.startswith(ka):
        return True
    from rapidfuzz import fuzz

    return fuzz.ratio(ka, kb) >= 85


def may_be_same_paper(processed: str, title: str) -> bool:
    """A cheap first look (C code only) before `same_paper`: can these titles be one paper?

    Args:
        processed: `rapidfuzz.utils.default_process` of the new record's title.
        title: A stored record's title.

    Returns:
        False only when `same_paper` would surely be false on the titles alone.
    """
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    other = default_process(title)
    if len(processed) < 12 or len(other) < 12 or fuzz.ratio(processed, other, score_cutoff=55):
        return True
    short, long = (processed, other) if len(processed) <= len(other) else (other, processed)
    return long.startswith(short[: max(12, len(short) - 5)])


def same_paper(stored: Record, new: Record) -> bool:
    """Whether two records that carry the same DOI describe the same paper.

    The DOI is trusted unless the titles clearly differ: above 85 % title similarity
    (or a subtitle) they are one paper; between 60 and 85 % only when first author
    and year agree too; below 60 % they are different papers, whatever else agrees,
    because a wrong split shows two linked records while a wrong merge hides a paper.

    Args:
        stored: The record already in the library under that DOI.
        new: The record being imported.

    Returns:
        True when `new` should merge into `stored`.
    """
    if stored.title_derived or new.title_derived:
        return True
    ta, tb = title_words(stored.title), title_words(new.title)
    if len(match_key(ta)) < 12 or len(match_key(tb)) < 12:
        return True
    score = title_similarity(ta, tb)
    if score >= 85:
        return True
    if score < 60:
        return False
    years_agree = stored.year is not None and stored.year == new.year
    both_named = bool(stored.first_author_family and new.first_author_family)
    return (
        years_agree
        and both_named
        and surnames_agree(stored.first_author_family, new.first_author_family)
    )
