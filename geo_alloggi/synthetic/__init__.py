"""Seeded, calibrated and clearly labelled SYNTHETIC estates and records.

Real occupation and eviction records are confidential. Tests, notebooks,
benchmarks and the demo use the records generated here, calibrated on public
figures (see ``DESIGN.md``):

- Milan: 66,730 public units (2018), Aler about 56% and Comune/MM the rest;
  4,564 units occupied abusively in 2018, about 4,487 on 1 January 2019 and
  about 500 fewer during 2019;
- strong concentration: San Siro about 4,000 Aler units with 873 occupied;
  Via Gola about 200 of 800; Via Bolla 26–42, 67 of 244; and the estates often
  named (Lorenteggio–Giambellino, Gratosoglio, Corvetto, Quarto Oggiaro,
  Molise–Calvairate, Ponte Lambro, Comasina, Stadera), each in its real NIL;
- about 9,754 vacant units in 2014;
- Cinisello Balsamo: 1,163 public units.

Milan estates sit at real current civic points (status 2) of the official
ds634 release, with their real addresses; Cinisello Balsamo has no address
points in the official data, so its estates sit at seeded points inside the
comune (``position_source`` says which). Every frame carries a ``source``
column equal to :data:`geo_alloggi.config.synthetic_label` and
``attrs["synthetic"] = True``.

Modules: :mod:`~geo_alloggi.synthetic.calibration` (the public figures and
the planted patterns), :mod:`~geo_alloggi.synthetic.estates`,
:mod:`~geo_alloggi.synthetic.records` (occupations, evictions, vacancies),
:mod:`~geo_alloggi.synthetic.demo` (:func:`make_demo`) and
:mod:`~geo_alloggi.synthetic.points` (:func:`make_occupations`).

Examples
--------
>>> from geo_alloggi.synthetic import make_demo
>>> demo = make_demo(seed=0)  # doctest: +SKIP
>>> demo.truth["hot_areas"]["persistent"]["core"]  # doctest: +SKIP
'MI-NIL-57'
"""

from __future__ import annotations

from geo_alloggi.synthetic.calibration import (
    CINISELLO_UNITS,
    FIRST_YEAR,
    HOT_AREAS,
    LAST_YEAR,
    MILAN_ALER_UNITS,
    MILAN_OCCUPIED,
    MILAN_UNITS,
    MILAN_VACANT,
    NAMED_COMPLEXES,
    OWNER_ALER,
    OWNER_COMUNE,
)
from geo_alloggi.synthetic.demo import make_demo
from geo_alloggi.synthetic.points import make_occupations

__all__ = [
    "CINISELLO_UNITS",
    "FIRST_YEAR",
    "HOT_AREAS",
    "LAST_YEAR",
    "MILAN_ALER_UNITS",
    "MILAN_OCCUPIED",
    "MILAN_UNITS",
    "MILAN_VACANT",
    "NAMED_COMPLEXES",
    "OWNER_ALER",
    "OWNER_COMUNE",
    "make_demo",
    "make_occupations",
]
