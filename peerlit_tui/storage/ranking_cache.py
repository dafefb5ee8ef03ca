"""The ranking cache of a library folder: the hashed feature matrix and the latest scores.

Both are derived data (they can always be rebuilt from the records and decisions),
kept so that a retrain of a large library does not re-read and re-hash every record,
and so that a restarted app shows the last ranking at once.

Files, in `<library>/ranking/`:

- `features.npz`: the count matrix (CSR arrays, uint16 counts) and the record id of
  each row, with the feature key it was built with;
- `scores.npz`: record ids, their scores and a JSON header (training time, decisions
  seen, model).

Every write goes to a temporary file in the same folder, is fsynced and then renamed
over the old file, so a kill at any point leaves either the old or the new file, and
two processes writing at once each leave a complete file (the later one wins). A file
that cannot be read, or was built with another feature key, is treated as missing.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from peerlit_tui.storage.journal import fsync_dir

#: The cache folder inside a library folder.
RANKING_DIR = "ranking"
FEATURES_FILE = "features.npz"
SCORES_FILE = "scores.npz"
#: Layout version of both files; a change makes old files count as missing.
CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class CachedFeatures:
    """A cached count matrix.

    Attributes:
        ids: Record id of each row.
        counts: The hashed term counts (CSR, uint16).
    """

    ids: list[str]
    counts: sp.csr_matrix


@dataclass(frozen=True, slots=True)
class CachedScores:
    """The scores of the latest training.

    Attributes:
        ids: Record ids.
        scores: One score per id.
        meta: Training time, decisions seen, model name and so on.
    """

    ids: list[str]
    scores: np.ndarray
    meta: dict[str, Any]


def _encode_ids(ids: list[str]) -> np.ndarray:
    # Ids as one UTF-8 byte array joined by newlines: loads without pickle and is
    # compact (record ids never hold a newline: they are DOIs or hex hashes).
    return np.frombuffer("\n".join(ids).encode("utf-8"), dtype=np.uint8)


def _decode_ids(data: np.ndarray, expected: int) -> list[str]:
    text = data.tobytes().decode("utf-8")
    ids = text.split("\n") if text else []
    if len(ids) != expected:
        raise ValueError("id count does not match the rows")
    return ids


def _write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    fsync_dir(path.parent)


def _read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


class RankingCache:
    """The ranking files of one library folder.

    Args:
        library_folder: The library folder (the cache lives in its `ranking/`).
    """

    def __init__(self, library_folder: Path) -> None:
        self.folder = Path(library_folder) / RANKING_DIR

    def save_features(self, key: str, features: CachedFeatures) -> None:
        """Write the count matrix durably (replacing the previous one)."""
        counts = features.counts
        _write(
            self.folder / FEATURES_FILE,
            {
                "format": np.array([CACHE_FORMAT]),
                "key": np.frombuffer(key.encode("utf-8"), dtype=np.uint8),
                "shape": np.array(counts.shape, dtype=np.int64),
                "data": counts.data.astype(np.uint16, copy=False),
                "indices": counts.indices.astype(np.int32, copy=False),
                "indptr": counts.indptr.astype(np.int64, copy=False),
                "ids": _encode_ids(features.ids),
            },
        )

    def load_features(self, key: str) -> CachedFeatures | None:
        """The cached count matrix, or None when missing, unreadable or built differently."""
        arrays = _read(self.folder / FEATURES_FILE)
        if arrays is None:
            return None
        try:
            if int(arrays["format"][0]) != CACHE_FORMAT:
                return None
            if arrays["key"].tobytes().decode("utf-8") != key:
                return None
            shape = (int(arrays["shape"][0]), int(arrays["shape"][1]))
            counts = sp.csr_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
            )
            return CachedFeatures(_decode_ids(arrays["ids"], shape[0]), counts)
        except (KeyError, IndexError, ValueError, UnicodeDecodeError):
            return None

    def save_scores(self, scores: CachedScores) -> None:
        """Write the latest scores durably (replacing the previous ones)."""
        _write(
            self.folder / SCORES_FILE,
            {
                "format": np.array([CACHE_FORMAT]),
                "meta": np.frombuffer(json.dumps(scores.meta).encode("utf-8"), dtype=np.uint8),
                "scores": np.asarray(scores.scores, dtype=np.float32),
                "ids": _encode_ids(scores.ids),
            },
        )

    def load_scores(self) -> CachedScores | None:
        """The latest saved scores, or None when missing or unreadable."""
        arrays = _read(self.folder / SCORES_FILE)
        if arrays is None:
            return None
        try:
            if int(arrays["format"][0]) != CACHE_FORMAT:
                return None
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            scores = arrays["scores"].astype(np.float64)
            if not isinstance(meta, dict):
                return None
            return CachedScores(_decode_ids(arrays["ids"], len(scores)), scores, meta)
        except (KeyError, IndexError, ValueError, UnicodeDecodeError):
            return None
