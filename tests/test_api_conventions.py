"""The public API's conventions, checked over every name in the ``__all__`` lists.

* no public function forwards ``**kwargs``: an unknown option is a
  ``TypeError`` raised by Python itself;
* the options that ``read_bundle`` and ``load_records`` used to forward reach
  ``read_records`` unchanged.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import geo_alloggi
from geo_alloggi import _schema as S
from geo_alloggi.io import load_records, read_bundle


def _public_modules() -> list[str]:
    found = pkgutil.iter_modules(geo_alloggi.__path__)
    subs = sorted(f"geo_alloggi.{m.name}" for m in found if not m.name.startswith("_"))
    return ["geo_alloggi", *subs]


def _public_callables():
    seen = set()
    for name in _public_modules():
        mod = importlib.import_module(name)
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if inspect.isfunction(obj) and obj not in seen:
                seen.add(obj)
                yield f"{name}.{attr}", obj
            elif inspect.isclass(obj) and obj.__module__.startswith("geo_alloggi"):
                for meth, fn in vars(obj).items():
                    if inspect.isfunction(fn) and not meth.startswith("_"):
                        yield f"{name}.{attr}.{meth}", fn


def test_no_public_function_forwards_kwargs():
    offenders = [
        name
        for name, fn in _public_callables()
        if any(
            p.kind is inspect.Parameter.VAR_KEYWORD
            for p in inspect.signature(fn).parameters.values()
        )
    ]
    assert offenders == []
    assert len(list(_public_callables())) > 50  # the walk did find the API


def _files(tmp_path: Path) -> dict[str, Path]:
    estates = tmp_path / "e.csv"
    estates.write_text("codice_stabile;alloggi\nST1;10\n", encoding="utf-8")
    occupations = tmp_path / "o.csv"
    occupations.write_text(
        "codice_pratica;codice_stabile;data_rilevazione;data_fine;stato\n"
        "P0;ST1;01/02/2019;;in corso\n"
        "P1;ST1;01/02/2024;;in corso\n",
        encoding="utf-8",
    )
    return {"estates": estates, "occupations": occupations}


@pytest.mark.parametrize("func", [read_bundle, load_records])
def test_unknown_option_is_a_type_error(tmp_path, func):
    with pytest.raises(TypeError, match="unexpected keyword argument 'todya'"):
        func(**_files(tmp_path), todya="2020-01-01")


def test_read_options_reach_every_file(tmp_path):
    files = _files(tmp_path)
    # P1 was detected on 1 February 2024: after 'today' 2020-12-31 it is
    # quarantined; with 'today' 2025-06-30 both rows are accepted
    early = read_bundle(**files, today="2020-12-31", delimiter=";")
    late = read_bundle(**files, today="2025-06-30", delimiter=";")
    assert early.records.occupations[S.RECORD_ID].tolist() == ["P0"]
    assert late.records.occupations[S.RECORD_ID].tolist() == ["P0", "P1"]
    with pytest.warns(UserWarning, match=r"\{'occupations': 1\}"):
        records = load_records(**files, today="2020-12-31", earliest="2019-01-01")
    assert records.occupations[S.RECORD_ID].tolist() == ["P0"]
    # 'earliest' reaches read_records too: P0 (2019) is now too early
    later = read_bundle(**files, today="2025-06-30", earliest="2020-01-01")
    assert later.records.occupations[S.RECORD_ID].tolist() == ["P1"]
