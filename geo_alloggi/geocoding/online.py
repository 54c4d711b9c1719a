"""Opt-in online fallback: Nominatim through geopy, rate limited, cached on disk.

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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo_alloggi import config
from geo_alloggi._errors import GeocodingError

log = logging.getLogger(__name__)

DEFAULT_URL = "https://nominatim.openstreetmap.org"
#: Attribution required by the OpenStreetMap licence for results from Nominatim.
ATTRIBUTION = "Geocoding fallback: © OpenStreetMap contributors, ODbL 1.0 (Nominatim)"
#: Nominatim's usage policy: at most one request per second.
MIN_DELAY = 1.0

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
