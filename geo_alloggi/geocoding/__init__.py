"""Offline-first geocoding of Italian addresses, with a match quality per row.

The reference index is built once from the official data (the ds634 civic
points of all Milan, street names from the stradario and ANNCSU, optional
OpenStreetMap ``addr:*`` extracts for other comuni such as Cinisello Balsamo),
cached on disk, and loaded in a fraction of a second. Matching runs in this
order, per row:

1. **corrections** supplied by the user (address -> coordinates, or address ->
   the address to use instead);
2. **exact** street name (descriptive, registry and abbreviated forms, first
   names abbreviated or dropped) inside the row's comune, then **fuzzy**
   street name (rapidfuzz, on the distinct names left, per comune);
3. the house number on that street: the **exact** point, or **interpolated**
   between the neighbouring numbers on the same side, or the
   **nearest_number**; a number far from every civic number of the street is
   not placed;
4. **street**: the street is known (it may have no points at all, like the
   streets of Cinisello Balsamo without an OSM extract) but the number has no
   position - no coordinates are invented;
5. **unmatched**;
6. optionally (``online=True``) Nominatim for rows left at 4-5.

An address is never placed in another comune than its own.

Modules, in the order of the data:

- :mod:`~geo_alloggi.geocoding.sources`: find the official files, assemble
  the reference tables (ds634 points, OSM extracts, street lists, comuni);
- :mod:`~geo_alloggi.geocoding.aliases`, :mod:`~geo_alloggi.geocoding.comuni`:
  the name forms of streets, the keys of comuni and each row's comune;
- :mod:`~geo_alloggi.geocoding.index`: the reference index built from the
  tables; :mod:`~geo_alloggi.geocoding.cache` keeps it (and its rtree) on disk;
- :mod:`~geo_alloggi.geocoding.match`: street resolution and number placement;
  :mod:`~geo_alloggi.geocoding.rows` runs them over a batch of rows, after
  the :mod:`~geo_alloggi.geocoding.corrections`;
- :mod:`~geo_alloggi.geocoding.online`: the opt-in Nominatim fallback;
- :mod:`~geo_alloggi.geocoding.geocoder`: :class:`Geocoder` and
  :func:`geocode`, the public entry points.

Examples
--------
>>> import pandas as pd
>>> from geo_alloggi import geocode
>>> out = geocode(pd.DataFrame({"address": ["V.LE FULVIO TESTI 12, Milano"]}))
>>> out.loc[0, "geo_match_type"]
'exact'
"""

from __future__ import annotations

from geo_alloggi.address import messy_address
from geo_alloggi.geocoding.corrections import (
    CORRECTION_COLUMNS,
    add_correction,
    read_corrections,
)
from geo_alloggi.geocoding.geocoder import REVIEW_SCORE, Geocoder, geocode
from geo_alloggi.geocoding.online import ATTRIBUTION as ONLINE_ATTRIBUTION
from geo_alloggi.geocoding.sources import reference_tables

__all__ = [
    "CORRECTION_COLUMNS",
    "ONLINE_ATTRIBUTION",
    "REVIEW_SCORE",
    "Geocoder",
    "add_correction",
    "geocode",
    "messy_address",
    "read_corrections",
    "reference_tables",
]
