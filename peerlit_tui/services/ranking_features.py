"""Text features for relevance ranking: hashed term counts and their TF-IDF weighting.

The features are built in two steps so that a large library can be updated record by
record:

1. `count_rows` turns each record's text (title, abstract sections, keywords and
   optionally the journal) into hashed counts of its words and word pairs
   (scikit-learn's `HashingVectorizer`, 1–2-grams, 2**20 columns). Hashing is
   stateless: a record's row never changes when other records are added, so the
   rows of newly imported records are simply appended to the cached matrix.
2. `Weighting` turns counts into TF-IDF (sublinear term frequency, smoothed inverse
   document frequency, unit-length rows, as scikit-learn's `TfidfTransformer`) with the
   document frequencies of the whole library, recomputed when records are added. This is
   the transductive TF-IDF that ASReview uses (fitted on every record, labelled or
   not), with `max_df` dropping terms present in almost every record.

The counts are kept as 16-bit integers, which keeps 100,000 records (about 29 million
non-zero cells with word pairs) under 200 MB. A large library is scored block by block
as (tf · (idf × weight)) / row length, so a float TF-IDF copy of it never exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from peerlit_tui.model import Record

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer

#: Hashed feature space. 2**20 keeps collisions between distinct terms rare.
N_FEATURES = 2**20
#: Rows weighted at once when scoring a whole library (bounds the float copy).
CHUNK_ROWS = 20_000
#: Rows per block when a large library is scored: one sparse product holds the GIL,
#: so a block is kept to tens of milliseconds for the UI thread's sake.
SCORE_BLOCK_ROWS = 4000
#: The largest count kept per cell (counts are stored as uint16).
MAX_COUNT = 65_535


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """How record text becomes features.

    Attributes:
        ngram_max: Longest word n-gram (2 = words and word pairs).
        min_df: Terms in fewer records than this are ignored.
        max_df: Terms in more than this share of records are ignored.
        include_journal: Add the journal name to the text.
        stop_words: Drop scikit-learn's English stop words.
        title_repeat: How many times the title is counted (titles say in a few
            words what a record is about; 2 weighs them above the abstract).
    """

    ngram_max: int = 2
    min_df: int = 1
    max_df: float = 0.95
    include_journal: bool = False
    stop_words: bool = False
    title_repeat: int = 1

    def key(self) -> str:
        """What a cached count matrix depends on (the weighting does not change it)."""
        return (
            f"hash{N_FEATURES}-ngram1-{self.ngram_max}-journal{int(self.include_journal)}"
            f"-stop{int(self.stop_words)}-title{self.title_repeat}"
        )


def record_text(record: Record, *, include_journal: bool = False, title_repeat: int = 1) -> str:
    """The text a record is ranked on: title, abstract sections, keywords (and journal).

    Section headings are left out: in structured abstracts they are the same words in
    every record ("Purpose", "Findings") and carry no signal.
    """
    parts = [record.title] * max(1, title_repeat)
    parts.extend(section.text for section in record.abstract)
    if record.keywords:
        parts.append("; ".join(record.keywords))
    if include_journal and record.journal:
        parts.append(record.journal)
    return "\n".join(p for p in parts if p)


def text_for(record: Record, config: FeatureConfig) -> str:
    """`record_text` as `config` asks (journal, title weight)."""
    return record_text(
        record, include_journal=config.include_journal, title_repeat=config.title_repeat
    )


def _vectoriser(config: FeatureConfig) -> HashingVectorizer:
    # scikit-learn loads with the first hashing (~0.6 s, ~75 MB): the app's own process
    # only ranks through a child, and hashes a text only to explain a record's rank.
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        ngram_range=(1, config.ngram_max),
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
        stop_words="english" if config.stop_words else None,
    )


def count_rows(texts: Iterable[str], config: FeatureConfig) -> sp.csr_matrix:
    """Hashed term counts of each text, one CSR row per text (uint16 counts)."""
    counts = _vectoriser(config).transform(list(texts))
    matrix = sp.csr_matrix(counts)
    np.clip(matrix.data, 0, MAX_COUNT, out=matrix.data)
    matrix.data = matrix.data.astype(np.uint16)
    matrix.indices = matrix.indices.astype(np.int32)
    return matrix


def empty_counts() -> sp.csr_matrix:
    """A count matrix with no rows."""
    return sp.csr_matrix((0, N_FEATURES), dtype=np.uint16)


def append_rows(counts: sp.csr_matrix, more: sp.csr_matrix) -> sp.csr_matrix:
    """The rows of `counts` followed by the rows of `more`."""
    if counts.shape[0] == 0:
        return more
    if more.shape[0] == 0:
        return counts
    stacked = sp.vstack([counts, more], format="csr", dtype=np.uint16)
    return sp.csr_matrix(stacked)


def _one_token(term: str) -> list[str]:
    return [term]


def terms_of(text: str, config: FeatureConfig) -> dict[int, str]:
    """Column → term for the words and word pairs of one text (for explanations).

    Hashing forgets term names; re-analysing one record's text recovers them for
    that record. Colliding terms keep the first spelling met.
    """
    analyse = _vectoriser(config).build_analyzer()
    out: dict[int, str] = {}
    terms = list(dict.fromkeys(analyse(text)))
    if not terms:
        return out
    # Hash every term at once: one "document" per term whose only token is the term,
    # which lands in the same column as that term does in the record's row.
    from sklearn.feature_extraction.text import HashingVectorizer

    single = HashingVectorizer(
        analyzer=_one_token, n_features=N_FEATURES, alternate_sign=False, norm=None
    )
    hashed = single.transform(terms).tocsr()
    for i, term in enumerate(terms):
        cols = hashed.indices[hashed.indptr[i] : hashed.indptr[i + 1]]
        if len(cols):
            out.setdefault(int(cols[0]), term)
    return out


class Weighting:
    """TF-IDF weighting fitted on the document frequencies of a count matrix.

    The weights are scikit-learn's `TfidfTransformer(sublinear_tf=True,
    smooth_idf=True, norm="l2")` (a test checks they are equal), computed here
    from a column count so that fitting needs no float copy of the whole matrix:
    idf = ln((1 + n) / (1 + df)) + 1, tf = 1 + ln(count), rows scaled to unit length.

    Args:
        counts: The library's count matrix.
        config: `min_df` and `max_df` come from here.
    """

    def __init__(self, counts: sp.csr_matrix, config: FeatureConfig) -> None:
        n_rows = counts.shape[0]
        df = _document_frequencies(counts.indices)
        keep = df >= max(1, config.min_df)
        if n_rows >= 2:
            keep &= df <= config.max_df * n_rows
        idf = np.log((1.0 + n_rows) / (1.0 + df)) + 1.0
        # TF-IDF rows use only the columns some record has (about 40,000 for 2,000
        # records instead of 2**20): the classifiers' cost grows with the column count.
        self._set(np.where(keep, idf, 0.0).astype(np.float32), np.flatnonzero(keep))

    def _set(self, idf: np.ndarray, columns: np.ndarray) -> None:
        self.idf = idf
        self.columns = columns.astype(np.int32)
        self.remap = np.full(N_FEATURES, -1, dtype=np.int32)
        self.remap[self.columns] = np.arange(len(self.columns), dtype=np.int32)

    @classmethod
    def of(cls, idf: np.ndarray, columns: np.ndarray) -> Weighting:
        """The weighting with these `idf` (one per hashed column) and kept `columns`.

        How a weighting fitted in another process is rebuilt without its count matrix.
        """
        weighting = cls.__new__(cls)
        weighting._set(np.asarray(idf, dtype=np.float32), np.asarray(columns))
        return weighting

    @property
    def n_columns(self) -> int:
        """Number of columns of the TF-IDF rows (the library's terms)."""
        return len(self.columns)

    def transform(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF rows (float32, unit length) of some rows of the count matrix.

        Columns are the library's terms (`columns`), not the hashed space.
        """
        data = counts.data.astype(np.float32)
        np.log(data, out=data)
        data += 1.0
        data *= self.idf[counts.indices]
        out = sp.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape)
        out.eliminate_zeros()  # ignored terms have idf 0
        # The remap keeps column order, so the rows stay sorted.
        compact = sp.csr_matrix(
            (out.data, self.remap[out.indices], out.indptr),
            shape=(counts.shape[0], self.n_columns),
        )
        from sklearn.preprocessing import normalize

        return sp.csr_matrix(normalize(compact, norm="l2", copy=False))

    def row_norms(self, counts: sp.csr_matrix) -> np.ndarray:
        """Length of each row's TF-IDF vector before scaling (0 for a row with no term)."""
        squared = self.idf * self.idf
        out = np.empty(counts.shape[0], dtype=np.float64)
        for start, block in _blocks(counts):
            tf = _TF[block.data]
            out[start : start + block.shape[0]] = _with_data(block, tf * tf) @ squared
        return np.sqrt(out)

    def scores(self, counts: sp.csr_matrix, weights: np.ndarray, norms: np.ndarray) -> np.ndarray:
        """Each row's TF-IDF vector · `weights` (weights over `columns`), without the matrix.

        Equal to `transform(counts) @ weights`, computed as
        (tf · (idf × weight)) / norm so that no TF-IDF copy of the matrix is made.
        """
        hashed = np.zeros(N_FEATURES, dtype=np.float32)
        hashed[self.columns] = weights * self.idf[self.columns]
        out = np.empty(counts.shape[0], dtype=np.float64)
        for start, block in _blocks(counts):
            out[start : start + block.shape[0]] = _with_data(block, _TF[block.data]) @ hashed
        np.divide(out, norms, out=out, where=norms > 0)
        out[norms == 0] = 0.0
        return out


#: 1 + ln(count) for every storable count: sublinear term frequency by table lookup.
_TF = np.concatenate([[0.0], 1.0 + np.log(np.arange(1, MAX_COUNT + 1))]).astype(np.float32)


#: Cells counted at once for the document frequencies.
DF_BLOCK = 1 << 22


def _document_frequencies(indices: np.ndarray) -> np.ndarray:
    # `np.bincount` widens its input to int64: over 29 million cells at once that is a
    # 230 MB copy, so the columns are counted a few million cells at a time.
    df = np.zeros(N_FEATURES, dtype=np.int64)
    for start in range(0, len(indices), DF_BLOCK):
        df += np.bincount(indices[start : start + DF_BLOCK], minlength=N_FEATURES)
    return df


def _blocks(counts: sp.csr_matrix) -> Iterator[tuple[int, sp.csr_matrix]]:
    # Row blocks as views of the matrix's arrays (no copy of data or indices).
    indptr = counts.indptr
    for start in range(0, counts.shape[0], SCORE_BLOCK_ROWS):
        stop = min(start + SCORE_BLOCK_ROWS, counts.shape[0])
        a, b = int(indptr[start]), int(indptr[stop])
        block = sp.csr_matrix(
            (counts.data[a:b], counts.indices[a:b], indptr[start : stop + 1] - a),
            shape=(stop - start, counts.shape[1]),
            copy=False,
        )
        yield start, block


def _with_data(block: sp.csr_matrix, data: np.ndarray) -> sp.csr_matrix:
    return sp.csr_matrix((data, block.indices, block.indptr), shape=block.shape, copy=False)
