"""Run settings: the TOML configuration of a run, its defaults and its checks."""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import InputFileError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from geo_alloggi.priorities import PatrolWeights

__all__ = [
    "DEFAULT_BUDGET_EUR",
    "DEFAULT_OBJECTIVE",
    "RECORD_KINDS",
    "PathLike",
    "RunSettings",
    "check_settings",
    "load_settings",
    "patrol_weights",
]

PathLike = str | os.PathLike[str]

RECORD_KINDS = ("estates", "occupations", "evictions", "vacancies")


DEFAULT_BUDGET_EUR = 10_000_000.0

#: What the exact renovation plan maximises unless the configuration says:
#: risk-weighted units (the occupations the renovation is expected to prevent).
DEFAULT_OBJECTIVE = "risk"

#: Keys of the ``[priorities]`` table (``patrol`` and ``renovation`` are tables).
_PRIORITY_KEYS = ("budget_eur", "objective", "patrol", "renovation")


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs besides the records.

    Read from a TOML file with :func:`load_settings`; every field has a
    documented default.

    Attributes
    ----------
    records : mapping of str to pathlib.Path
        Record files by kind (``estates``, ``occupations``, ``evictions``,
        ``vacancies``).
    columns : mapping of str to mapping of str to str
        Column names per record kind: file header -> canonical name.
    level : str
        District level (``study_area`` by default).
    comuni : tuple of str or None
        Comuni of the study area (names or ISTAT codes); None: the default.
    districts_file : pathlib.Path or None
        A user district layer instead of an official level.
    districts_id_column : str or None
        Id column of ``districts_file``.
    districts_name_column : str or None
        Name column of ``districts_file``.
    period : str
        ``"month"``, ``"quarter"`` or ``"year"``.
    start : str or None
        First period counted (default: the first dated event).
    end : str or None
        Last period counted (default: the last dated event).
    threshold : int
        Suppression threshold of small counts.
    budget_eur : float or mapping of str to float
        Renovation budget in euros, shared or per owner.
    objective : str
        Objective of the renovation plan.
    lang : str
        Language of the outputs.
    seed : int or None
        Seed of the permutations and bootstraps (None: 0).
    corrections : pathlib.Path or None
        File of address corrections.
    osm_extracts : tuple of pathlib.Path
        OpenStreetMap address extracts used by the geocoder.
    online : bool
        Ask Nominatim for the addresses not found offline (opt-in).
    nominatim_url : str or None
        Nominatim server address (None: the geocoder's default).
    config_file : pathlib.Path or None
        The configuration file read (its ``[priorities]`` tables give the weights and
        costs).
    synthetic : bool
        True when the records are SYNTHETIC.
    """

    records: Mapping[str, Path] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    level: str = "study_area"
    comuni: tuple[str, ...] | None = None
    districts_file: Path | None = None
    districts_id_column: str | None = None
    districts_name_column: str | None = None
    period: str = "year"
    start: str | None = None
    end: str | None = None
    threshold: int = config.suppression_threshold
    budget_eur: float | Mapping[str, float] = DEFAULT_BUDGET_EUR
    objective: str = DEFAULT_OBJECTIVE
    lang: str = "it"
    seed: int | None = None
    corrections: Path | None = None
    osm_extracts: tuple[Path, ...] = ()
    online: bool = False
    nominatim_url: str | None = None
    config_file: Path | None = None
    synthetic: bool = False


def _section(doc: Mapping[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, Mapping):
        raise InputFileError(f"{str(path)!r}: [{name}] must be a table")
    return dict(value)


def load_settings(path: PathLike) -> RunSettings:
    """Read a run configuration (TOML); relative paths are relative to the file.

    See ``examples/run.toml`` for every key with its default.

    Parameters
    ----------
    path : str or os.PathLike
        The TOML file.

    Returns
    -------
    RunSettings
        The settings.

    Raises
    ------
    InputFileError
        The file is missing, not TOML, or names an unknown key or a record
        file that does not exist.
    """
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"config {str(p)!r}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"config {str(p)!r} is not valid TOML ({exc})") from None
    base = p.resolve().parent
    known = {"records", "districts", "analysis", "geocoding", "priorities", "output"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise InputFileError(
            f"config {str(p)!r}: unknown section(s) {unknown!r}; "
            f"known: {sorted(known)!r}"
        )
    rec = _section(doc, "records", p)
    columns = rec.pop("columns", {})
    synthetic = bool(rec.pop("synthetic", False))
    bad = sorted(set(rec) - set(RECORD_KINDS))
    if bad:
        raise InputFileError(
            f"config {str(p)!r}: [records] keys {bad!r} are not among {RECORD_KINDS!r}"
        )
    files = {k: (base / v).resolve() for k, v in rec.items()}
    for kind, f in files.items():
        if not f.is_file():
            raise InputFileError(
                f"config {str(p)!r}: [records] {kind} = {str(f)!r} does not exist"
            )
    if "estates" not in files:
        raise InputFileError(
            f"config {str(p)!r}: [records] needs at least estates = 'FILE'"
        )
    dist = _section(doc, "districts", p)
    ana = _section(doc, "analysis", p)
    geo = _section(doc, "geocoding", p)
    pri = _section(doc, "priorities", p)
    out = _section(doc, "output", p)

    def rel(value: Any) -> Path | None:
        return (base / str(value)).resolve() if value else None

    settings = RunSettings(
        records=files,
        columns={k: dict(v) for k, v in dict(columns).items()},
        level=str(dist.get("level", "study_area")),
        comuni=_comuni(dist, p),
        districts_file=rel(dist.get("file")),
        districts_id_column=dist.get("id_column"),
        districts_name_column=dist.get("name_column"),
        period=str(ana.get("period", "year")),
        start=str(ana["start"]) if "start" in ana else None,
        end=str(ana["end"]) if "end" in ana else None,
        threshold=int(ana.get("suppression_threshold", config.suppression_threshold)),
        budget_eur=_budget(pri, p),
        objective=str(pri.get("objective", DEFAULT_OBJECTIVE)),
        lang=str(out.get("lang", "it")),
        seed=int(ana["seed"]) if "seed" in ana else None,
        corrections=rel(geo.get("corrections")),
        osm_extracts=tuple(rel(x) for x in geo.get("osm_extracts", []) if x),  # type: ignore[misc]
        online=bool(geo.get("online", False)),
        nominatim_url=geo.get("nominatim_url"),
        config_file=p.resolve(),
        synthetic=synthetic,
    )
    check_settings(settings)
    patrol_weights(settings.config_file)  # a bad weight stops the run here
    return settings


def _budget(pri: Mapping[str, Any], path: Path) -> float | dict[str, float]:
    """``[priorities] budget_eur``: euros shared by every estate, or per owner."""
    unknown = sorted(set(pri) - set(_PRIORITY_KEYS))
    if unknown:
        raise InputFileError(
            f"config {str(path)!r}: unknown key(s) {unknown!r} in [priorities]; "
            f"known: {list(_PRIORITY_KEYS)!r}"
        )
    value = pri.get("budget_eur", DEFAULT_BUDGET_EUR)
    if isinstance(value, Mapping):
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool)
            for v in value.values()
        ):
            raise InputFileError(
                f"config {str(path)!r}: [priorities.budget_eur] gives euros per "
                f"owner ({' and '.join(S.OWNERS)}), got {dict(value)!r}"
            )
        return {str(k): float(v) for k, v in value.items()}
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InputFileError(
            f"config {str(path)!r}: [priorities] budget_eur must be euros, or a "
            f"table of euros per owner ({' and '.join(S.OWNERS)}), got {value!r}"
        )
    return float(value)


def _comuni(dist: Mapping[str, Any], path: Path) -> tuple[str, ...] | None:
    """``[districts] comuni``: names or ISTAT codes, or None for the default."""
    if "comuni" not in dist:
        return None
    value = dist["comuni"]
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        raise InputFileError(
            f"config {str(path)!r}: [districts] comuni must be a list of comune "
            f"names or ISTAT codes, e.g. ['Milano', 'Cinisello Balsamo'], "
            f"got {value!r}"
        )
    return tuple(str(v) for v in value)


def patrol_weights(
    config_file: PathLike | None,
) -> PatrolWeights | Literal["calibrated"]:
    """Read the patrol weights of ``[priorities.patrol]``: numbers, or "calibrated".

    ``weights = "calibrated"`` asks for the weights calibrated walk-forward on
    the run's own records (:func:`geo_alloggi.priorities.calibrate_patrol_weights`);
    otherwise the table gives the weights (missing ones keep their default).
    No file or no table: the defaults.

    Parameters
    ----------
    config_file : str, os.PathLike or None
        The run configuration, None for the defaults.

    Returns
    -------
    PatrolWeights or {'calibrated'}
        The weights, or ``"calibrated"``.

    Raises
    ------
    InputFileError
        The table mixes ``weights`` with numbers, or ``weights`` is not
        ``"calibrated"``; a weight is not a number >= 0.
    """
    from geo_alloggi.priorities import PatrolWeights

    if config_file is None:
        return PatrolWeights()
    try:
        doc = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"config {str(config_file)!r}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"config {str(config_file)!r} is not valid TOML ({exc})"
        ) from None
    table = doc.get("priorities", {}).get("patrol", {})
    if not isinstance(table, Mapping):
        raise InputFileError(
            f"config {str(config_file)!r}: [priorities.patrol] must be a table"
        )
    if "weights" in table:
        value, rest = table["weights"], sorted(set(table) - {"weights"})
        if value != "calibrated" or rest:
            raise InputFileError(
                f"config {str(config_file)!r}: [priorities.patrol] weights = "
                f"{value!r}"
                + (f" together with {rest!r}" if rest else "")
                + '; write weights = "calibrated" alone, or the four weights '
                "as numbers (occupied, new_occupations, trend, evictions)"
            )
        return "calibrated"
    try:
        return PatrolWeights.from_mapping(table)
    except (ValidationError, TypeError, ValueError) as exc:
        raise InputFileError(
            f"config {str(config_file)!r}: [priorities.patrol] {exc}"
        ) from None


def check_settings(s: RunSettings) -> None:
    """Raise :class:`ValidationError` naming the first setting out of range."""
    if s.period not in S.PERIODS:
        raise ValidationError(f"period={s.period!r} is not one of {list(S.PERIODS)!r}")
    if s.lang not in ("it", "en"):
        raise ValidationError(f"lang={s.lang!r} is not one of ['it', 'en']")
    if s.threshold < 1:
        raise ValidationError(f"suppression_threshold={s.threshold!r} must be >= 1")
    _check_budget(s.budget_eur)
    if s.objective not in ("risk", "units"):
        raise ValidationError(
            f"objective={s.objective!r} is not one of ['risk', 'units'] (risk: "
            "prevent the most expected occupations; units: return the most homes)"
        )
    if s.districts_file is None and s.level not in S.LEVELS:
        raise ValidationError(f"level={s.level!r} is not one of {list(S.LEVELS)!r}")
    if s.comuni is not None and (
        s.districts_file is not None or s.level not in ("comuni", "study_area")
    ):
        raise ValidationError(
            "[districts] comuni applies to level 'study_area' or 'comuni', not to "
            + ("a districts file" if s.districts_file is not None else repr(s.level))
        )
    if s.districts_file is not None and not s.districts_id_column:
        raise ValidationError("a districts file needs districts id_column")


def _check_budget(budget: float | Mapping[str, float]) -> None:
    """Raise unless ``budget`` is euros >= 0, or euros >= 0 per known owner."""
    if isinstance(budget, Mapping):
        if not budget:
            raise ValidationError("budget_eur per owner names no owner")
        unknown = sorted(set(budget) - set(S.OWNERS))
        if unknown:
            raise ValidationError(
                f"budget_eur names owner(s) {unknown!r}; owners are "
                f"{list(S.OWNERS)!r} (Aler Milano, Comune di Milano / MM Casa)"
            )
        for owner, euros in budget.items():
            if not math.isfinite(euros) or euros < 0:
                raise ValidationError(
                    f"budget_eur[{owner!r}]={euros!r} must be a number of euros >= 0"
                )
        return
    if not math.isfinite(budget) or budget < 0:
        raise ValidationError(f"budget_eur={budget!r} must be a number of euros >= 0")
