"""On-disk cache of the geocoder: the pickled reference index and its points' rtree.

Files are written under a temporary name and renamed, so that concurrent
processes never read half-written files. An index written by another format
(:data:`geo_alloggi.geocoding.index.INDEX_FORMAT`) or another layout of the
classes is ignored and rebuilt.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geo_alloggi.geocoding.index import INDEX_FORMAT, ReferenceIndex


def save_index(index: ReferenceIndex, path: Path) -> None:
    """Write the index atomically (temporary file then rename).

    Parameters
    ----------
    index : ReferenceIndex
        The index to write (the matcher's caches are left out).
    path : Path
        The pickle file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        # dataclasses.replace keeps the fields only, not the matcher's caches
        pickle.dump(dataclasses.replace(index), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def load_index(path: Path) -> ReferenceIndex | None:
    """Read an index written by :func:`save_index`.

    Parameters
    ----------
    path : Path
        The pickle file.

    Returns
    -------
    ReferenceIndex or None
        None when the file is missing, unreadable or of another format.
    """
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
    except Exception:
        return None
    if not isinstance(obj, ReferenceIndex) or obj.meta.get("format") != INDEX_FORMAT:
        return None
    return obj


def build_rtree(index: ReferenceIndex, base: Path) -> Path:
    """Build the on-disk rtree of the points at ``base`` (``.idx``/``.dat`` files).

    Built under a temporary name and renamed, so that concurrent builders do
    not see half-written files.

    Parameters
    ----------
    index : ReferenceIndex
        The index whose metric point coordinates are indexed (id = point index).
    base : Path
        Path of the rtree files without extension.

    Returns
    -------
    Path
        ``base``.
    """
    from rtree import index as rindex

    base.parent.mkdir(parents=True, exist_ok=True)
    tmp = base.with_name(f".{base.name}.{os.getpid()}.tmp")
    props = rindex.Property()
    props.dimension = 2
    props.overwrite = True

    def stream() -> Iterator[tuple[int, tuple[float, float, float, float], None]]:
        for i, (x, y) in enumerate(zip(index.pt_x, index.pt_y, strict=True)):
            yield (i, (float(x), float(y), float(x), float(y)), None)

    idx = rindex.Index(str(tmp), stream(), properties=props)
    idx.close()
    for ext in (".idx", ".dat"):
        os.replace(f"{tmp}{ext}", f"{base}{ext}")
    return base


def open_rtree(index: ReferenceIndex, base: Path) -> Any:
    """Open the rtree of the points at ``base``, building it first if absent.

    Parameters
    ----------
    index : ReferenceIndex
        The index the rtree belongs to.
    base : Path
        Path of the rtree files without extension.

    Returns
    -------
    rtree.index.Index
        The opened index (ids are point indexes of ``index``).
    """
    from rtree import index as rindex

    if not (Path(f"{base}.idx").is_file() and Path(f"{base}.dat").is_file()):
        build_rtree(index, base)
    props = rindex.Property()
    props.dimension = 2
    return rindex.Index(str(base), properties=props)
