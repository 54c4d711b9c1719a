"""Parse and normalise Italian addresses (pure functions, no I/O).

Addresses of Italian public-housing records are typed by different offices
in different ways: ``V.LE FULVIO TESTI 12``, ``via f. testi, 12 - 20126
milano``, ``P.LE SELINUNTE 4/A``, Aler's ``MILANO VIA MAC MAHON '89 A``,
``20092 Cinisello Balsamo (MI), via Gorki 5``. The functions here turn any
of them into the same parts:

* :func:`normalize_text` - upper case, accents and apostrophes folded,
  punctuation turned into spaces (commas kept as separators);
* :func:`parse_address` - a :class:`ParsedAddress` with street type (long
  form, ``VIALE``), street name, house number, esponente (``A``, ``BIS``,
  ``/2`` as ``2``), postcode, the comune the text names (official name),
  province, other places, and whether the text says there is no civic number;
* :func:`normalize_address` - one canonical string per address
  (``VIALE FULVIO TESTI 12A, 20126 MILANO``), idempotent; :func:`street_address`
  - its street and number alone (``VIALE FULVIO TESTI 12A``), the key records
  and estates are matched on;
* :func:`street_key` - the comparable form of a street name (roman numerals
  of dates written in figures, ``XXV APRILE`` -> ``25 APRILE``);
* :func:`find_comune` - a comune of Lombardy by name, short form
  (``Sesto S. Giovanni``, ``Cinisello B.``), ISTAT or cadastral code, as a
  :class:`Comune`; :func:`lombardy_comuni`, :func:`comuni_with_postcode`;
* :func:`messy_address` - a seeded generator of realistic messy spellings of
  a clean address, used by tests, benchmarks and the synthetic data;
  :func:`address_in_layout` writes one in each of :data:`LAYOUT_FAMILIES`.

None of these functions raises on a string, whatever it holds.

Examples
--------
>>> p = parse_address("via f. testi, 12/a - 20126 Milano (MI)")
>>> (p.street_type, p.street_name, p.housenumber, p.suffix, p.postcode, p.comune)
('VIA', 'F TESTI', 12, 'A', '20126', 'Milano')
>>> normalize_address("P.LE SELINUNTE 4/A")
'PIAZZALE SELINUNTE 4A'
>>> normalize_address("Via 8 Ottobre 2001 n. 12")
'VIA 8 OTTOBRE 2001 12'
"""

from __future__ import annotations

from geo_alloggi.address._comuni import (
    Comune,
    comuni_with_postcode,
    find_comune,
    lombardy_comuni,
    require_comuni,
)
from geo_alloggi.address._layouts import LAYOUT_FAMILIES, address_in_layout
from geo_alloggi.address._messy import messy_address
from geo_alloggi.address._parse import (
    ParsedAddress,
    format_address,
    normalize_address,
    parse_address,
    street_address,
)
from geo_alloggi.address._text import (
    FIRST_NAMES,
    STREET_TYPES,
    normalize_text,
    split_street_type,
    street_key,
)

__all__ = [
    "FIRST_NAMES",
    "LAYOUT_FAMILIES",
    "STREET_TYPES",
    "Comune",
    "ParsedAddress",
    "address_in_layout",
    "comuni_with_postcode",
    "find_comune",
    "format_address",
    "lombardy_comuni",
    "messy_address",
    "normalize_address",
    "normalize_text",
    "parse_address",
    "require_comuni",
    "split_street_type",
    "street_address",
    "street_key",
]
