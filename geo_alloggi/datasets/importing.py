"""Register a folder of official files in the per-user cache, with checksums.

A checkout next to the project's mirror (``shared/data/raw``), or a folder of
files downloaded by hand, becomes the cache every command reads when no mirror
is set: ``geo-alloggi data import DIR`` (what ``make demo`` and ``make test``
run on first use). The cache then answers in any shell, from any folder, with
no variable set and no network.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import shutil
from pathlib import Path

import pandas as pd

from geo_alloggi._errors import InputFileError
from geo_alloggi.datasets.download import (
    cache_folder,
    read_checksums,
    sha256_file,
    write_checksums,
)
from geo_alloggi.datasets.registry import REGISTRY

__all__ = ["import_folder"]

log = logging.getLogger(__name__)

_COLUMNS = ["dataset", "file", "status", "sha256", "release"]


def import_folder(
    folder: str | os.PathLike[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Copy a folder of official files into the per-user cache, with checksums.

    Each dataset's files found in ``folder`` under the mirror's names (as
    listed by :func:`~geo_alloggi.datasets.describe`), an alternate format, a
    partial extract or the official name are copied into the cache under the
    same names, where :func:`~geo_alloggi.datasets.dataset_path` finds them
    with no mirror set and no network. The SHA-256, the folder and the
    release of each file are recorded beside them (``checksums.json``). A
    file already in the cache with the same SHA-256 is left as it is, so
    importing again is cheap.

    Parameters
    ----------
    folder : str or os.PathLike[str]
        A folder of official files, e.g. the project's ``shared/data/raw``.
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder (default ``<user cache>/geo_alloggi/datasets``).

    Returns
    -------
    pandas.DataFrame
        One row per file found: ``dataset``, ``file``, ``status``
        (``imported`` or ``unchanged``), ``sha256``, ``release`` (the mirror's
        release of the file, empty when unknown).

    Raises
    ------
    InputFileError
        ``folder`` is not a folder, or holds none of the official files.

    Notes
    -----
    Files are copied, not linked: the cache stays valid when the folder moves.
    A download by :func:`~geo_alloggi.datasets.fetch` keeps the official name
    and is preferred to an imported copy of the same dataset.
    """
    src = Path(folder).expanduser()
    if not src.is_dir():
        raise InputFileError(f"{str(src)!r} is not a folder of official files")
    target = cache_folder(cache_dir)
    record = read_checksums(target)
    rows: list[dict[str, str]] = []
    for name, ds in REGISTRY.items():
        names = dict.fromkeys(
            (ds.filename, *ds.alternates, ds.cache_filename, *ds.extracts)
        )
        for fname in names:
            found = src / fname
            if not found.is_file():
                continue
            digest = sha256_file(found)
            status = _copy(found, target / fname, digest)
            main = fname in (ds.filename, ds.cache_filename)
            taken = {r["dataset"] for r in rows if r["file"] in names}
            key = name if main and name not in taken else f"{name}:{fname}"
            release = ds.mirror_release if fname == ds.filename else ""
            previous = record.get(key, {})
            record[key] = {
                "file": fname,
                "sha256": digest,
                "url": ds.url,
                "imported_from": str(found.resolve()),
                "release": release,
                "imported_at": previous["imported_at"]
                if status == "unchanged" and previous.get("imported_at")
                else _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            }
            rows.append(
                {
                    "dataset": name,
                    "file": fname,
                    "status": status,
                    "sha256": digest,
                    "release": release,
                }
            )
    if not rows:
        known = sorted(d.filename for d in REGISTRY.values())
        raise InputFileError(
            f"{str(src)!r} holds none of the official files; expected names such as "
            f"{known[:3]!r} (see 'geo-alloggi data list')"
        )
    write_checksums(target, record)
    log.info("imported %d file(s) from %s into %s", len(rows), src, target)
    return pd.DataFrame(rows, columns=_COLUMNS)


def _copy(source: Path, dest: Path, digest: str) -> str:
    """Copy ``source`` over ``dest`` unless it already holds the same bytes."""
    if dest.is_file() and sha256_file(dest) == digest:
        return "unchanged"
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    shutil.copyfile(source, part)
    part.replace(dest)
    return "imported"
