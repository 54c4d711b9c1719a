"""Locate a dataset's file: the local mirror, else the cache, else a download.

Files are resolved in this order:

1. a **mirror** folder (``mirror=`` argument or ``GEO_ALLOGGI_DATA_MIRROR``)
   holding the files under the names of the project's local mirror. When a
   mirror is set, files come only from there and nothing goes to the network;
2. the per-user **cache** (:func:`geo_alloggi.config.cache_dir`), filled by
   :func:`~geo_alloggi.datasets.download.fetch` (downloads, official names)
   or :func:`~geo_alloggi.datasets.importing.import_folder` (a folder of
   official files, the mirror's names) with the SHA-256 of each file
   recorded beside it;
3. the **network**, only when the caller allows a download.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd

from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError
from geo_alloggi.datasets.download import (
    cache_folder,
    fetch,
    read_checksums,
    zip_release,
)
from geo_alloggi.datasets.registry import REGISTRY, get_dataset, how_to_provide

__all__ = ["dataset_path", "describe", "source_of"]

log = logging.getLogger(__name__)


def source_of(
    name: str,
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    filename: str | None = None,
) -> tuple[str, Path | None]:
    """Say where dataset ``name`` would come from: ``mirror``, ``cache`` or ``network``.

    Parameters
    ----------
    name : str
        A dataset of the registry.
    mirror : str, os.PathLike[str] or None, default None
        Mirror folder; default ``GEO_ALLOGGI_DATA_MIRROR``.
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder; default ``<user cache>/geo_alloggi/datasets``.
    filename : str or None, default None
        One of the dataset's ``alternates`` or ``extracts`` instead of its main file.

    Returns
    -------
    tuple
        ``(where, path)``; ``path`` is None when the file would be downloaded,
        or when a mirror is set but lacks the file (``where == "missing"``).
    """
    ds = get_dataset(name)
    fname = filename or ds.filename
    folder = config.mirror_dir(mirror)
    if folder is not None:
        candidates = [fname] if filename else [fname, *ds.alternates]
        for candidate in candidates:
            if (folder / candidate).is_file():
                return "mirror", folder / candidate
        return "missing", None
    # a download keeps the official name; an imported folder keeps the
    # mirror's names (its files may be older releases in other layouts)
    cache = cache_folder(cache_dir)
    names = [filename] if filename else [ds.cache_filename, ds.filename, *ds.alternates]
    for candidate in names:
        if (cache / candidate).is_file():
            return "cache", cache / candidate
    return "network", None


def dataset_path(
    name: str,
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    filename: str | None = None,
) -> Path:
    """Return a local path to the official file of dataset ``name``.

    Parameters
    ----------
    name : str
        Registry key, see :data:`REGISTRY`.
    mirror : str, os.PathLike[str] or None, default None
        Mirror folder; default ``GEO_ALLOGGI_DATA_MIRROR``. When set, the file
        must be there: nothing is downloaded.
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder; default ``<user cache>/geo_alloggi/datasets``.
    download : bool, default True
        Download into the cache when the file is neither mirrored nor cached.
    filename : str or None, default None
        One of the dataset's ``alternates`` or ``extracts`` (mirror only)
        instead of its main file.

    Returns
    -------
    pathlib.Path
        The local file (in the mirror or the cache).

    Raises
    ------
    DataUnavailableError
        The file is not in the mirror or cache and cannot be downloaded; the
        message names the dataset, its URL and how to provide the file.
    """
    ds = get_dataset(name)
    where, path = source_of(name, mirror=mirror, cache_dir=cache_dir, filename=filename)
    if where in ("mirror", "cache") and path is not None:
        log.debug("dataset %s from %s: %s", name, where, path)
        return path
    if where == "missing":
        folder = config.mirror_dir(mirror)
        raise DataUnavailableError(
            f"dataset {name!r}: file {filename or ds.filename!r} is not in the mirror "
            f"folder {str(folder)!r}; {how_to_provide(ds)}"
        )
    if filename is not None and filename != ds.filename:
        raise DataUnavailableError(
            f"dataset {name!r}: {filename!r} is only available from a mirror; "
            f"set {config.MIRROR_ENV}"
        )
    if not download:
        raise DataUnavailableError(
            f"dataset {name!r} is not in the cache and downloads are off; "
            f"{how_to_provide(ds)}"
        )
    return fetch(name, cache_dir=cache_dir)[0]


def describe(
    *,
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """One row per dataset: licence, release, where it would come from, coverage.

    The release of a file that names it (the ANNCSU Indirizzario's
    ``INDIR_LOMB_<YYYYMMDD>.csv``) is read from the file; a downloaded file
    shows the release recorded at download and the download date.

    Parameters
    ----------
    mirror : str, os.PathLike[str] or None, default None
        Mirror folder; default ``GEO_ALLOGGI_DATA_MIRROR``.
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder; default ``<user cache>/geo_alloggi/datasets``.

    Returns
    -------
    pandas.DataFrame
        One row per dataset of the registry.
    """
    rows = []
    record = read_checksums(cache_folder(cache_dir))
    for name, ds in REGISTRY.items():
        where, path = source_of(name, mirror=mirror, cache_dir=cache_dir)
        if where == "mirror":
            named = (
                zip_release(path, ds.release_member)
                if ds.release_member and path is not None
                else None
            )
            release = named or ds.mirror_release or "unknown"
        elif where == "cache":
            entry = _entry(record, name, path)
            release = (
                f"imported {entry['imported_at'][:10]}"
                if entry.get("imported_at")
                else f"downloaded {entry.get('downloaded_at', '?')[:10]}"
            )
            if entry.get("release"):
                release = f"{entry['release']} ({release})"
        else:
            release = "current official release"
        rows.append(
            {
                "dataset": name,
                "title": ds.title,
                "publisher": ds.publisher,
                "licence": ds.licence,
                "release": release,
                "source": where,
                "location": str(path) if path is not None else ds.url,
                "coverage": ds.coverage,
            }
        )
    return pd.DataFrame(rows)


def _entry(
    record: dict[str, dict[str, str]], name: str, path: Path | None
) -> dict[str, str]:
    """Return the checksum record of the cached file ``path`` of dataset ``name``."""
    for key, entry in record.items():
        if (
            key.split(":")[0] == name
            and path is not None
            and entry.get("file") == path.name
        ):
            return entry
    return record.get(name, {})
