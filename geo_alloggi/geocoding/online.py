"""Opt-in online fallback: Nominatim through geopy, rate limited, cached on disk.

:func:`ask_nominatim` asks it for the rows the offline index left ``street``
or ``unmatched``.

Only address strings leave the machine (``"VIA ROMA 12, 20092 CINISELLO
BALSAMO, Italia"``); never a record id or any other column. Answers (found
or not found) are cached in a JSON file keyed by the normalised address, so
each address is asked once; network failures are not cached.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from geo_alloggi import config
from geo_alloggi._errors import GeocodingError, warn
from geo_alloggi.address import ParsedAddress, normalize_address
from geo_alloggi.geocoding.comuni import comune_key
from geo_alloggi.geocoding.corrections import street_and_number

if TYPE_CHECKING:
    from geo_alloggi.geocoding.rows import Matches

log = logging.getLogger(__name__)

DEFAULT_URL = "https://nominatim.openstreetmap.org"
#: Attribution required by the OpenStreetMap licence for results from Nominatim.
ATTRIBUTION = "Geocoding fallback: © OpenStreetMap contributors, ODbL 1.0 (Nominatim)"
#: Nominatim's usage policy: at most one request per second.
MIN_DELAY = 1.0
#: Score of a house-level answer, and of a street-level one.
SCORE_ONLINE = 0.8
SCORE_ONLINE_STREET = 0.4

_lock = threading.Lock()


class NominatimFallback:
    """Ask a Nominatim server for addresses the offline index could not place.

    Parameters
    ----------
    url
        Base URL of the server (``https://nominatim.openstreetmap.org``, or a
        local instance such as ``http://127.0.0.1:8080``).
    cache_dir
        Folder of the answers cache (default ``<cache>/nominatim``).
    user_agent
        Identifying user agent (default :data:`geo_alloggi.config.user_agent`).
    min_delay
        Seconds between requests; never less than 1 (usage policy).
    timeout
        Seconds before a request is abandoned (default ``config.http_timeout``).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        user_agent: str | None = None,
        min_delay: float = MIN_DELAY,
        timeout: float | None = None,
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        self.url = (url or DEFAULT_URL).rstrip("/")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise GeocodingError(
                f"nominatim_url {url!r} is not an http(s) URL; "
                f"expected e.g. {DEFAULT_URL!r}"
            )
        domain = parts.netloc + parts.path.rstrip("/")
        self._geocoder = Nominatim(
            user_agent=user_agent or config.user_agent,
            domain=domain,
            scheme=parts.scheme,
            timeout=timeout or config.http_timeout,
        )
        self._call = RateLimiter(
            self._geocoder.geocode,
            min_delay_seconds=max(MIN_DELAY, float(min_delay)),
            max_retries=0,
            swallow_exceptions=False,
        )
        folder = (
            Path(cache_dir)
            if cache_dir is not None
            else config.cache_dir() / "nominatim"
        )
        self.cache_path = folder / "answers.json"
        self._cache: dict[str, Any] = self._read_cache()
        self.requests = 0
        self.failures = 0

    def _read_cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        answers = data.get(self.url, {}) if isinstance(data, dict) else {}
        return dict(answers) if isinstance(answers, dict) else {}

    def _write_cache(self) -> None:
        with _lock:
            try:
                data = json.loads(self.cache_path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    data = {}
            except (OSError, ValueError):
                data = {}
            data.setdefault(self.url, {}).update(self._cache)
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path.with_name(f".answers.{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
            os.replace(tmp, self.cache_path)

    def lookup(self, queries: dict[str, str]) -> dict[str, dict[str, Any] | None]:
        """Answer each query, from the cache or the server.

        Parameters
        ----------
        queries
            Cache key (normalised address and comune) -> text sent to the server.

        Returns
        -------
        dict
            Cache key -> ``{"lon", "lat", "kind", "comune", "display_name"}`` or
            None (no answer). Keys whose request failed are absent.
        """
        from geopy.exc import GeopyError

        out: dict[str, dict[str, Any] | None] = {}
        fresh = False
        for key, text in queries.items():
            if key in self._cache:
                out[key] = self._cache[key]
                continue
            self.requests += 1
            try:
                loc = self._call(
                    text, exactly_one=True, addressdetails=True, country_codes="it"
                )
            except (GeopyError, OSError, ValueError) as exc:
                self.failures += 1
                log.warning(
                    "Nominatim request failed for one address (%s)", type(exc).__name__
                )
                continue
            answer = _summarise(loc.raw) if loc is not None else None
            self._cache[key] = answer
            out[key] = answer
            fresh = True
        if fresh:
            self._write_cache()
        return out


def _summarise(raw: dict[str, Any]) -> dict[str, Any] | None:
    try:
        lon, lat = float(raw["lon"]), float(raw["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    addr = raw.get("address") or {}
    if addr.get("house_number"):
        kind = "house"
    elif raw.get("class") == "highway" or addr.get("road"):
        kind = "street"
    else:
        kind = "other"
    comune = next(
        (addr[k] for k in ("city", "town", "village", "municipality") if addr.get(k)),
        "",
    )
    return {
        "lon": lon,
        "lat": lat,
        "kind": kind,
        "comune": comune,
        "display_name": str(raw.get("display_name", ""))[:300],
    }


_CLIENTS: dict[tuple[str, str], NominatimFallback] = {}
_CLIENTS_LOCK = threading.Lock()


def nominatim_client(
    url: str | None, cache_dir: str | os.PathLike[str] | None
) -> NominatimFallback:
    """Return the session's Nominatim client for a server and answers cache.

    One client per server and cache: its rate limiter spaces requests across
    calls too.

    Parameters
    ----------
    url : str or None
        Base URL of the server (default :data:`DEFAULT_URL`).
    cache_dir : str, os.PathLike or None
        Folder of the answers cache (default ``<cache>/nominatim``).

    Returns
    -------
    NominatimFallback
    """
    key = ((url or DEFAULT_URL).rstrip("/"), str(cache_dir or config.cache_dir()))
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = NominatimFallback(url, cache_dir=cache_dir)
            _CLIENTS[key] = client
        return client


def _queries(
    matches: Matches, comuni: Mapping[str, str]
) -> tuple[dict[str, str], dict[int, str]]:
    """Text to send per cache key, and the cache key of each row to ask about."""
    todo = np.flatnonzero(np.isin(matches.match_type, ("street", "unmatched")))
    parsed: list[ParsedAddress] = matches.parsed
    queries: dict[str, str] = {}
    row_key: dict[int, str] = {}
    for i in todo:
        p = parsed[i]
        street = street_and_number(p)
        if not p.street_name or p.housenumber is None:
            continue
        ck = matches.ckeys[i]
        place = comuni.get(ck, ck.title()) if ck else ""
        text = ", ".join(
            x
            for x in (
                street,
                " ".join(y for y in (p.postcode, place) if y),
                "Italia",
            )
            if x
        )
        key = f"{normalize_address(street)}|{ck}"
        queries.setdefault(key, text)
        row_key[int(i)] = key
    return queries, row_key


def ask_nominatim(
    matches: Matches,
    comuni: Mapping[str, str],
    *,
    url: str | None,
    cache_dir: str | os.PathLike[str] | None,
) -> None:
    """Complete the rows left ``street`` or ``unmatched`` with Nominatim, in place.

    A house-level answer places the row (``exact``, score
    :data:`SCORE_ONLINE`); a street-level one makes an unmatched row a
    ``street`` match. An answer in another comune than the row's is refused.

    Parameters
    ----------
    matches : Matches
        The offline results (:func:`geo_alloggi.geocoding.rows.match_rows`).
    comuni : mapping of str to str
        Comune key -> display name, to write the queries.
    url : str or None
        Nominatim server.
    cache_dir : str, os.PathLike or None
        Folder of the answers cache.

    Warns
    -----
    UserWarning
        Some requests failed (they are not cached and will be asked again).
    """
    queries, row_key = _queries(matches, comuni)
    if not queries:
        return
    client = nominatim_client(url, cache_dir)
    requests0, failures0 = client.requests, client.failures
    answers = client.lookup(queries)
    m = matches
    for row, key in row_key.items():
        ans = answers.get(key)
        if not ans:
            continue
        ck = m.ckeys[row]
        if ck and comune_key(ans.get("comune", "")) != ck:
            continue  # never placed in another comune
        if ans["kind"] == "house":
            m.lon[row] = ans["lon"]
            m.lat[row] = ans["lat"]
            m.match_type[row] = "exact"
            m.score[row] = SCORE_ONLINE
            m.matched_address[row] = ans["display_name"]
            m.source[row] = "nominatim"
        elif ans["kind"] == "street" and m.match_type[row] == "unmatched":
            m.match_type[row] = "street"
            m.score[row] = SCORE_ONLINE_STREET
            m.matched_address[row] = ans["display_name"]
            m.source[row] = "nominatim"
    failed = client.failures - failures0
    if failed:
        warn(
            f"online geocoding: {failed} of {client.requests - requests0} "
            f"request(s) to {client.url} failed (not cached; they will be "
            f"retried next time)",
            "geocoding.online_failed",
            failed=failed,
            total=client.requests - requests0,
            stacklevel=4,
        )
