"""geo_alloggi: GIS for public housing (ERP) in Milan and Cinisello Balsamo.

Geocode estates and record addresses written the Italian administrative way,
overlay occupation, eviction and vacancy records on official districts, find
hot spots with sound statistics, rank where to patrol and what to renovate,
and render offline maps for coordination meetings.

The public API is listed in ``__all__``; names are imported lazily so that
``import geo_alloggi`` and the command line start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geo_alloggi._version import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # foundation
    "load_districts": "geo_alloggi.boundaries",
    "read_districts": "geo_alloggi.boundaries",
    "check_districts": "geo_alloggi.boundaries",
    "datasets": "geo_alloggi.datasets",
    "config": "geo_alloggi.config",
    # errors
    "GeoAlloggiError": "geo_alloggi._errors",
    "ValidationError": "geo_alloggi._errors",
    "CRSError": "geo_alloggi._errors",
    "DataUnavailableError": "geo_alloggi._errors",
    "InputFileError": "geo_alloggi._errors",
    "GeocodingError": "geo_alloggi._errors",
    "SolverError": "geo_alloggi._errors",
    # geocoding (addresses -> points, with match quality)
    "geocode": "geo_alloggi.geocoding",
    "Geocoder": "geo_alloggi.geocoding",
    "read_corrections": "geo_alloggi.geocoding",
    "add_correction": "geo_alloggi.geocoding",
    "normalize_address": "geo_alloggi.address",
    "parse_address": "geo_alloggi.address",
    "ParsedAddress": "geo_alloggi.address",
    "messy_address": "geo_alloggi.address",
    # stats (hot spots, Moran, emerging hot spots, grids, density)
    "hotspots": "geo_alloggi.stats",
    "global_moran": "geo_alloggi.stats",
    "emerging_hotspots": "geo_alloggi.stats",
    "hotspots_by_period": "geo_alloggi.stats",
    "spatial_weights": "geo_alloggi.stats",
    "aggregate_to_hexagons": "geo_alloggi.stats",
    "hex_grid": "geo_alloggi.stats",
    "optimal_cell_size": "geo_alloggi.stats",
    "density_surface": "geo_alloggi.stats",
    "MoranResult": "geo_alloggi.stats",
    # priorities (patrol ranking, renovation plan, scenarios, back-test)
    "PatrolWeights": "geo_alloggi.priorities",
    "CostModel": "geo_alloggi.priorities",
    "RenovationPlan": "geo_alloggi.priorities",
    "patrol_priority": "geo_alloggi.priorities",
    "social_services": "geo_alloggi.priorities",
    "compare_rankings": "geo_alloggi.priorities",
    "backtest": "geo_alloggi.priorities",
    "Backtest": "geo_alloggi.priorities",
    "calibrate_patrol_weights": "geo_alloggi.priorities",
    "CalibratedWeights": "geo_alloggi.priorities",
    "estate_panel": "geo_alloggi.priorities",
    "estate_districts": "geo_alloggi.priorities",
    "near_hot_spots": "geo_alloggi.priorities",
    "hot_districts": "geo_alloggi.priorities",
    "vacancy_risk": "geo_alloggi.priorities",
    "renovation_candidates": "geo_alloggi.priorities",
    "renovation_plan": "geo_alloggi.priorities",
    "renovation_frontier": "geo_alloggi.priorities",
    "compare_plans": "geo_alloggi.priorities",
    # records in: reading, validation, linking, tables for meetings
    "read_records": "geo_alloggi.io",
    "read_bundle": "geo_alloggi.io",
    "load_records": "geo_alloggi.io",
    "write_table": "geo_alloggi.io",
    "ReadResult": "geo_alloggi.io",
    "link_records": "geo_alloggi.linking",
    "place_estates": "geo_alloggi.linking",
    "LinkResult": "geo_alloggi.linking",
    # overlay, disclosure control, synthetic records
    "assign_districts": "geo_alloggi.overlay",
    "aggregate": "geo_alloggi.overlay",
    "suppress": "geo_alloggi.disclosure",
    "suppress_nested": "geo_alloggi.disclosure",
    "make_demo": "geo_alloggi.synthetic",
    "make_occupations": "geo_alloggi.synthetic",
    "Records": "geo_alloggi._records",
    # maps for meetings (folium layers, offline HTML, static export)
    "maps": "geo_alloggi.maps",
    "meeting_map": "geo_alloggi.maps",
    "save_offline": "geo_alloggi.maps",
    "export_static": "geo_alloggi.maps",
    # the whole job: records in, meeting bundle out
    "pipeline": "geo_alloggi.pipeline",
    "run_demo": "geo_alloggi.pipeline",
    "analyse": "geo_alloggi.pipeline",
    "write_bundle": "geo_alloggi.pipeline",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geo_alloggi' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from geo_alloggi import config, datasets, maps, pipeline
    from geo_alloggi._errors import (
        CRSError,
        DataUnavailableError,
        GeoAlloggiError,
        GeocodingError,
        InputFileError,
        SolverError,
        ValidationError,
    )
    from geo_alloggi._records import Records
    from geo_alloggi.address import (
        ParsedAddress,
        messy_address,
        normalize_address,
        parse_address,
    )
    from geo_alloggi.boundaries import check_districts, load_districts, read_districts
    from geo_alloggi.disclosure import suppress, suppress_nested
    from geo_alloggi.geocoding import (
        Geocoder,
        add_correction,
        geocode,
        read_corrections,
    )
    from geo_alloggi.io import (
        ReadResult,
        load_records,
        read_bundle,
        read_records,
        write_table,
    )
    from geo_alloggi.linking import LinkResult, link_records, place_estates
    from geo_alloggi.maps import export_static, meeting_map, save_offline
    from geo_alloggi.overlay import aggregate, assign_districts
    from geo_alloggi.pipeline import analyse, run_demo, write_bundle
    from geo_alloggi.priorities import (
        Backtest,
        CalibratedWeights,
        CostModel,
        PatrolWeights,
        RenovationPlan,
        backtest,
        calibrate_patrol_weights,
        compare_plans,
        compare_rankings,
        estate_districts,
        estate_panel,
        hot_districts,
        near_hot_spots,
        patrol_priority,
        renovation_candidates,
        renovation_frontier,
        renovation_plan,
        social_services,
        vacancy_risk,
    )
    from geo_alloggi.stats import (
        MoranResult,
        aggregate_to_hexagons,
        density_surface,
        emerging_hotspots,
        global_moran,
        hex_grid,
        hotspots,
        hotspots_by_period,
        optimal_cell_size,
        spatial_weights,
    )
    from geo_alloggi.synthetic import make_demo, make_occupations
