"""``geo-alloggi geocode IN.csv --out OUT.csv``: geocode a table of addresses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from geo_alloggi.cli._common import console, err_console, progress

CHUNK = 20_000


def _read_table(path: Path) -> pd.DataFrame:

    from geo_alloggi._errors import InputFileError

    if not path.is_file():
        raise InputFileError(f"input file {str(path)!r} does not exist")
    if path.stat().st_size == 0:
        raise InputFileError(
            f"input file {str(path)!r} is empty; expected a header row"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:
            raise InputFileError(
                f"{str(path)!r} cannot be read as XLSX ({exc})"
            ) from None
    last: Exception | None = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(
                path,
                sep=None,
                engine="python",
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
            )
        except UnicodeDecodeError as exc:
            last = exc
        except Exception as exc:
            raise InputFileError(
                f"{str(path)!r} cannot be read as CSV ({exc})"
            ) from None
    raise InputFileError(f"{str(path)!r} is neither UTF-8 nor cp1252 text ({last})")


def _review_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.review{out.suffix}")


def geocode_command(
    input_file: Path = typer.Argument(
        ..., metavar="IN", help="CSV or XLSX with an address column."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output table (.csv or .xlsx)."),
    address_column: str = typer.Option("address", help="Column holding the addresses."),
    comune_column: str | None = typer.Option(
        None, help="Column naming each row's comune."
    ),
    comune: str | None = typer.Option(
        None, help="One comune for all rows (e.g. Milano)."
    ),
    corrections: Path | None = typer.Option(
        None, help="Corrections CSV: address -> lon/lat or -> matched_address."
    ),
    online: bool = typer.Option(
        False,
        "--online",
        help="Ask Nominatim (1 request/s, cached) for rows left unplaced.",
    ),
    nominatim_url: str | None = typer.Option(None, help="Nominatim server URL."),
    osm: list[Path] | None = typer.Option(
        None,
        "--osm",
        metavar="FILE",
        help="OSM addr:* JSON extract adding civic points. Repeatable.",
    ),
    lang: str = typer.Option(
        "it", help="it: ';' and decimal comma; en: ',' and point."
    ),
) -> None:
    """Geocode IN; write OUT with the geo_ columns and OUT.review.csv to check."""
    import numpy as np
    from rich.progress import TaskID

    from geo_alloggi._errors import ValidationError
    from geo_alloggi._schema import GEO_MATCH_TYPE, GEO_SCORE, MATCH_TYPES
    from geo_alloggi.geocoding import REVIEW_SCORE, Geocoder
    from geo_alloggi.io import write_table

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValidationError(f"--out {str(out)!r} must end in '.csv' or '.xlsx'")
    table = _read_table(input_file)
    if address_column not in table.columns:
        raise ValidationError(
            f"{str(input_file)!r} has no column {address_column!r} (--address-column); "
            f"columns: {list(map(str, table.columns))!r}"
        )
    if comune_column is not None and comune_column not in table.columns:
        raise ValidationError(
            f"{str(input_file)!r} has no column {comune_column!r} (--comune-column); "
            f"columns: {list(map(str, table.columns))!r}"
        )
    geocoder = Geocoder(osm_extracts=list(osm or []))
    parts = []
    n = len(table)
    with progress("geocoding", total=max(n, 1)) as bar:
        for start in range(0, max(n, 1), CHUNK):
            chunk = table.iloc[start : start + CHUNK]
            parts.append(
                geocoder.geocode(
                    chunk,
                    address_column=address_column,
                    comune_column=comune_column,
                    comune=comune,
                    corrections=corrections,
                    online=online,
                    nominatim_url=nominatim_url,
                )
            )
            bar.update(TaskID(0), advance=len(chunk))
    result = pd.concat(parts) if len(parts) > 1 else parts[0]
    frame = pd.DataFrame(result.drop(columns=result.geometry.name))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_table(frame, out, lang=lang)
    review = frame[
        (frame[GEO_MATCH_TYPE] == "unmatched")
        | (frame[GEO_SCORE].to_numpy() < REVIEW_SCORE)
    ]
    review_path = _review_path(out)
    write_table(review, review_path, lang=lang)
    counts = frame[GEO_MATCH_TYPE].value_counts()
    summary = ", ".join(f"{t} {int(counts.get(t, 0))}" for t in MATCH_TYPES)
    placed = int(np.isfinite(frame["geo_lon"].to_numpy(float)).sum())
    console.print(
        f"geocoded {n} address(es): {summary}; {placed} placed; "
        f"{len(review)} to review in {review_path}"
    )
    err_console.print(result.attrs.get("attribution", ""), style="dim")


def register(app: typer.Typer) -> None:
    """Add the ``geocode`` command to the application."""
    app.command("geocode")(geocode_command)
