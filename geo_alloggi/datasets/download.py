"""Download official files into the per-user cache, with their SHA-256 recorded.

The cache folder is ``<user cache>/geo_alloggi/datasets`` (see
:func:`geo_alloggi.config.cache_dir`); ``checksums.json`` beside the files
records, per dataset, the file, its SHA-256, the URL and the time of download.
Only :func:`fetch` touches the network.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import re
import zipfile
from pathlib import Path

from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError
from geo_alloggi.datasets.registry import REGISTRY, get_dataset, how_to_provide

__all__ = [
    "cache_folder",
    "fetch",
    "read_checksums",
    "sha256_file",
    "write_checksums",
    "zip_release",
]

log = logging.getLogger(__name__)


def cache_folder(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache folder of downloads: ``cache_dir`` or the default.

    Parameters
    ----------
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder; default ``<user cache>/geo_alloggi/datasets``.

    Returns
    -------
    pathlib.Path
        The folder (not created).
    """
    return Path(cache_dir) if cache_dir is not None else config.cache_dir() / "datasets"


def _checksums_file(folder: Path) -> Path:
    return folder / "checksums.json"


def read_checksums(folder: Path) -> dict[str, dict[str, str]]:
    """Return the checksum record of the cache ``folder`` (empty when none).

    Parameters
    ----------
    folder : pathlib.Path
        A cache folder.

    Returns
    -------
    dict of str to dict of str to str
        File name -> its recorded checksum fields.
    """
    path = _checksums_file(folder)
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        log.warning("ignoring unreadable checksum record %s", path)
        return {}


def write_checksums(folder: Path, record: dict[str, dict[str, str]]) -> Path:
    """Write the checksum record of the cache ``folder``; return its path.

    Parameters
    ----------
    folder : pathlib.Path
        A cache folder (it must exist).
    record : dict of str to dict of str to str
        File name -> its checksum fields, as :func:`read_checksums` returns.

    Returns
    -------
    pathlib.Path
        The checksum file written.
    """
    path = _checksums_file(folder)
    path.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    return path


def fetch(
    *names: str,
    cache_dir: str | os.PathLike[str] | None = None,
    url: str | None = None,
    timeout: float | None = None,
) -> list[Path]:
    """Download datasets into the per-user cache and record their SHA-256.

    Parameters
    ----------
    *names : str
        Registry keys; none means every dataset.
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder (default ``<user cache>/geo_alloggi/datasets``).
    url : str or None, default None
        Override the official URL (one dataset only); for tests and proxies.
    timeout : float or None, default None
        Seconds before a download is abandoned (default ``config.http_timeout``).

    Returns
    -------
    list of Path
        The cached files, in the order asked.

    Notes
    -----
    Every call downloads (into ``<file>.part``, moved over the cached file only
    when complete), so a monthly dataset is brought to its latest release.
    For a dataset whose zip names its release (``release_member``), the
    release date read from the member's name is recorded with the checksum;
    a download that is not such a zip is refused and the cache is unchanged.

    Raises
    ------
    DataUnavailableError
        A download failed; the message names the dataset, URL and remedy.
    """
    import pooch  # imported here: only downloads need it

    pooch.get_logger().setLevel(logging.WARNING)

    selected = list(names) or sorted(REGISTRY)
    if url is not None and len(selected) != 1:
        raise DataUnavailableError("url= overrides the URL of exactly one dataset")
    folder = cache_folder(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for name in selected:
        ds = get_dataset(name)
        source = url or ds.url
        downloader = pooch.HTTPDownloader(
            timeout=timeout or config.http_timeout,
            headers={"User-Agent": config.user_agent},
            progressbar=False,
        )
        log.info("downloading %s from %s", name, source)
        final = folder / ds.cache_filename
        part = folder / (ds.cache_filename + ".part")
        part.unlink(missing_ok=True)
        try:
            pooch.retrieve(
                source,
                known_hash=None,
                fname=part.name,
                path=folder,
                downloader=downloader,
            )
        except Exception as exc:  # network errors come in many types
            part.unlink(missing_ok=True)
            reason = _short_reason(exc)
            raise DataUnavailableError(
                f"dataset {name!r}: download from {source} failed ({reason}); "
                f"{how_to_provide(ds)}"
            ) from None
        entry = {
            "file": final.name,
            "sha256": sha256_file(part),
            "url": source,
            "downloaded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }
        if ds.release_member:
            release = zip_release(part, ds.release_member)
            if release is None:
                part.unlink(missing_ok=True)
                raise DataUnavailableError(
                    f"dataset {name!r}: {source} did not return a zip holding a file "
                    f"named like {ds.release_member!r} (a page or a truncated "
                    f"download?); {how_to_provide(ds)}"
                )
            entry["release"] = release
        os.replace(part, final)
        path = final
        record = read_checksums(folder)
        record[name] = entry
        write_checksums(folder, record)
        out.append(path)
    return out


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    if "NameResolution" in text or "Failed to resolve" in text:
        return "host name could not be resolved: no network?"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:160]


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB chunks.

    Parameters
    ----------
    path : pathlib.Path
        The file to hash.

    Returns
    -------
    str
        The lower-case hexadecimal digest.
    """
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def zip_release(path: Path, pattern: str) -> str | None:
    """Return the release date named by a zip's member, as ``YYYY-MM-DD``.

    Parameters
    ----------
    path : Path
        The zip file.
    pattern : str
        Regular expression (case-insensitive) matched against each member's
        base name; its group ``date`` holds ``YYYYMMDD``.

    Returns
    -------
    str or None
        The date of the first matching member (in name order); None when the
        file is not a zip or no member matches.
    """
    regex = re.compile(pattern, re.IGNORECASE)
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted(Path(n).name for n in zf.namelist())
    except (OSError, zipfile.BadZipFile):
        return None
    for member in names:
        m = regex.match(member)
        if m:
            d = m.group("date")
            return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    return None
