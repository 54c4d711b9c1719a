"""``geo-alloggi geocode IN.csv --out OUT.csv``: geocode a table of addresses."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import typer

from geo_alloggi.cli._common import (
    COMUNI_HELP,
    console,
    err_console,
    progress,
    set_lang,
    split_comuni,
)

CHUNK = 20_000
#: Column of ``OUT.review.csv`` and ``OUT.summary.csv`` saying why a row is there.
REVIEW_REASON = "geo_review_reason"
TOP_REASONS = 5


def _found(table: pd.DataFrame, column: str) -> str | None:
    from geo_alloggi.io import find_column

    return find_column(table.columns, column)


def _column(table: pd.DataFrame, path: Path, given: str | None, column: str) -> str:
    """Return the header to use for ``column``: the one given, or a known one."""
    from geo_alloggi._errors import ValidationError

    if given is not None and given in table.columns:
        return given
    found = _found(table, column) if given is None else None
    if found is not None:
        return found
    option = "--address-column" if column == "address" else "--comune-column"
    what = f"no column {given!r}" if given else f"no {column} column"
    raise ValidationError(
        f"{str(path)!r} has {what}; name it with {option} "
        f"(columns: {list(map(str, table.columns))!r})"
    )


def _with_house_number(
    table: pd.DataFrame, address_column: str, *, lang: str
) -> tuple[pd.DataFrame, str]:
    """Append a house number kept in a column of its own to the address.

    ``Via`` = ``VIA TEANO`` and ``Civico`` = ``36`` are geocoded as
    ``VIA TEANO 36``, as the record readers do (the table is not changed:
    the address goes to the geocoder in a column of its own). Returns the
    table and the column to geocode.
    """
    from geo_alloggi._i18n import t
    from geo_alloggi.io import HOUSE_NUMBER

    number_column = _found(table, HOUSE_NUMBER)
    if number_column is None or number_column == address_column:
        return table, address_column
    address = table[address_column].astype(object)
    number = table[number_column].astype(object)
    number = number.where(number.notna(), "").astype(str).str.strip()
    number = number.str.replace(r"\.0$", "", regex=True)  # 36.0 read from XLSX
    both = address.notna() & (number != "")
    query = address.where(~both, address.astype(str) + " " + number)
    column = "geo_query_address"
    err_console.print(
        t("geo.cli.number_column", lang, number=repr(number_column)),
        style="dim",
        markup=False,
    )
    return table.assign(**{column: query}), column


def _review_path(out: Path, what: str = "review") -> Path:
    return out.with_name(f"{out.stem}.{what}{out.suffix}")


def review_reasons(frame: pd.DataFrame, *, threshold: float, lang: str) -> pd.Series:
    """Return why each row goes to review (``""`` for rows that do not).

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`geo_alloggi.geocode`.
    threshold : float
        Rows scoring below it go to review (``REVIEW_SCORE``).
    lang : str
        ``"it"`` or ``"en"``.

    Returns
    -------
    pandas.Series
        Same index as ``frame``, string dtype.
    """
    from geo_alloggi._i18n import fmt_number, t
    from geo_alloggi._schema import GEO_MATCH_TYPE, GEO_MATCHED_ADDRESS, GEO_SCORE

    mt = frame[GEO_MATCH_TYPE].astype(object).fillna("").to_numpy()
    matched = frame[GEO_MATCHED_ADDRESS].astype(object).fillna("").to_numpy()
    score = pd.to_numeric(frame[GEO_SCORE], errors="coerce").fillna(0).to_numpy()
    low = t("geo.review.low_score", lang, threshold=fmt_number(threshold, 1, lang))
    out = []
    for kind, addr, sc in zip(mt, matched, score, strict=True):
        if str(addr).startswith("comune conflict"):
            out.append(t("geo.review.conflict", lang))
        elif str(addr).startswith("ambiguous"):
            out.append(t("geo.review.ambiguous", lang))
        elif kind in ("out_of_area", "street", "unmatched"):
            out.append(t(f"geo.review.{kind}", lang))
        elif sc < threshold:
            out.append(low)
        else:
            out.append("")
    return pd.Series(pd.array(out, dtype="string"), index=frame.index)


#: The library's notes in ``geo_matched_address`` -> their catalogue key.
_NOTES = (
    (re.compile(r"out of area: (?P<comune>.*)", re.S), "geo.note.out_of_area"),
    (re.compile(r"ambiguous: (?P<streets>.*)", re.S), "geo.note.ambiguous"),
    (
        re.compile(
            r"comune conflict: (?P<found>.*) in the address, (?P<given>.*) given"
        ),
        "geo.note.conflict",
    ),
)


def matched_notes(frame: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Return a copy of ``frame`` with the notes of ``geo_matched_address`` in ``lang``.

    The geocoder notes the rows it did not place (``out of area: Corsico``,
    ``ambiguous: ...``, ``comune conflict: ...``) in English, its documented
    language; the command's table says them from the catalogue. Addresses
    matched are left as they are.
    """
    from geo_alloggi._i18n import t
    from geo_alloggi._schema import GEO_MATCHED_ADDRESS

    def said(value: object) -> object:
        if not isinstance(value, str):
            return value
        for pattern, key in _NOTES:
            found = pattern.fullmatch(value)
            if found:
                return t(key, lang, **found.groupdict())
        return value

    out = frame.copy()
    if GEO_MATCHED_ADDRESS in out:
        out[GEO_MATCHED_ADDRESS] = out[GEO_MATCHED_ADDRESS].map(said)
    return out


def _summary(frame: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Rows per comune, match type and review reason (one tidy table)."""
    from geo_alloggi._schema import GEO_COMUNE, GEO_MATCH_TYPE

    keys = pd.DataFrame(
        {
            GEO_COMUNE: frame[GEO_COMUNE].astype(object).fillna("").to_numpy(),
            GEO_MATCH_TYPE: frame[GEO_MATCH_TYPE].astype(object).fillna("").to_numpy(),
            REVIEW_REASON: reasons.astype(object).fillna("").to_numpy(),
        }
    )
    counts = keys.groupby(list(keys.columns), sort=True).size()
    return counts.rename("rows").reset_index()


def _print_summary(summary: pd.DataFrame, *, lang: str) -> None:
    from rich.table import Table

    from geo_alloggi._i18n import t
    from geo_alloggi._schema import GEO_COMUNE, GEO_MATCH_TYPE, MATCH_TYPES

    by = summary.pivot_table(
        index=GEO_COMUNE, columns=GEO_MATCH_TYPE, values="rows", aggfunc="sum"
    ).fillna(0)
    kinds = [k for k in MATCH_TYPES if k in by.columns]
    table = Table(title=t("geo.summary.by_comune", lang))
    table.add_column(t("col.comune", lang))
    for k in kinds:
        table.add_column(k, justify="right")
    table.add_column(t("geo.summary.total", lang), justify="right")
    for comune, row in by.iterrows():
        cells = [str(int(row[k])) for k in kinds]
        table.add_row(str(comune), *cells, str(int(row[kinds].sum())))
    console.print(table)
    reasons = (
        summary[summary[REVIEW_REASON] != ""]
        .groupby(REVIEW_REASON)["rows"]
        .sum()
        .sort_values(ascending=False, kind="stable")
        .head(TOP_REASONS)
    )
    if len(reasons):
        console.print(t("geo.summary.reasons", lang) + ":")
        for why, n in reasons.items():
            console.print(f"  {int(n)}  {why}")


def geocode_command(
    input_file: Path = typer.Argument(
        ..., metavar="IN", help="CSV or XLSX with an address column."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output table (.csv or .xlsx)."),
    address_column: str | None = typer.Option(
        None,
        help="Column holding the addresses (default: a column named address, "
        "indirizzo, ubicazione...).",
    ),
    comune_column: str | None = typer.Option(
        None,
        help="Column naming each row's comune (default: a column named comune, "
        "if any, unless --comune is given).",
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
    comuni: list[str] | None = typer.Option(None, "--comuni", help=COMUNI_HELP),
    lang: str = typer.Option(
        "it", help="it: ';' and decimal comma; en: ',' and point."
    ),
) -> None:
    """Geocode IN; write OUT with the geo_ columns, OUT.review and OUT.summary.

    OUT.review lists the rows to check with the reason; OUT.summary counts the
    rows by comune, match type and review reason. The first column of OUT and
    OUT.review says where each row is in IN: file_line (CSV: the line where
    the row starts, the header on line 1) or sheet_row (XLSX: the sheet's row
    number).
    """
    import numpy as np
    from rich.progress import TaskID

    from geo_alloggi._errors import ValidationError
    from geo_alloggi._i18n import check_lang, t
    from geo_alloggi.geocoding import REVIEW_SCORE, Geocoder
    from geo_alloggi.io import label_row_numbers, read_table, write_table

    check_lang(lang)
    set_lang(lang)
    area = split_comuni(comuni)

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValidationError(f"--out {str(out)!r} must end in '.csv' or '.xlsx'")
    table = read_table(input_file)
    table = label_row_numbers(table, table.attrs["file_format"])
    address_column = _column(table, input_file, address_column, "address")
    table, query_column = _with_house_number(table, address_column, lang=lang)
    if comune_column is None and comune is None:
        comune_column = _found(table, "comune")
    elif comune_column is not None:
        comune_column = _column(table, input_file, comune_column, "comune")
    err_console.print(
        t(
            "geo.cli.columns_comune" if comune_column else "geo.cli.columns",
            lang,
            address=repr(address_column),
            comune=repr(comune_column),
        ),
        style="dim",
        markup=False,
    )
    geocoder = Geocoder(osm_extracts=list(osm or []), comuni=area)
    parts = []
    n = len(table)
    with progress(t("geo.cli.progress", lang), total=max(n, 1)) as bar:
        for start in range(0, max(n, 1), CHUNK):
            chunk = table.iloc[start : start + CHUNK]
            parts.append(
                geocoder.geocode(
                    chunk,
                    address_column=query_column,
                    comune_column=comune_column,
                    comune=comune,
                    comuni=area,
                    corrections=corrections,
                    online=online,
                    nominatim_url=nominatim_url,
                )
            )
            bar.update(TaskID(0), advance=len(chunk), refresh=True)
    result = pd.concat(parts) if len(parts) > 1 else parts[0]
    frame = pd.DataFrame(result.drop(columns=result.geometry.name))
    if query_column != address_column:
        frame = frame.drop(columns=query_column)
    reasons = review_reasons(frame, threshold=REVIEW_SCORE, lang=lang)
    frame = matched_notes(frame, lang=lang)  # after the reasons, read from them
    out.parent.mkdir(parents=True, exist_ok=True)
    write_table(frame, out, lang=lang)
    review = frame.assign(**{REVIEW_REASON: reasons})[reasons.to_numpy() != ""]
    review_path = _review_path(out)
    write_table(review, review_path, lang=lang)
    summary = _summary(frame, reasons)
    write_table(summary, _review_path(out, "summary"), lang=lang)
    _print_summary(summary, lang=lang)
    placed = int(np.isfinite(frame["geo_lon"].to_numpy(float)).sum())
    console.print(
        t(
            "geo.summary.done",
            lang,
            n=n,
            placed=placed,
            review=len(review),
            path=review_path,
        )
    )
    for line in _coverage_lines(geocoder.coverage, lang=lang):
        console.print(line, markup=False)
    err_console.print(result.attrs.get("attribution", ""), style="dim")


def _coverage_lines(coverage: pd.DataFrame, *, lang: str) -> list[str]:
    """One line per comune of the study area: its civic points per source."""
    from geo_alloggi._i18n import fmt_int, t

    lines = []
    for comune, part in coverage.groupby("comune", sort=True):
        sources = [
            t(
                "geo.cli.coverage_source",
                lang,
                source=r.source,
                with_position=fmt_int(r.with_position, lang),
                points=fmt_int(r.points, lang),
            )
            for r in part.itertuples()
            if r.source
        ]
        said = "; ".join(sources) if sources else t("geo.cli.coverage_none", lang)
        lines.append(t("geo.cli.coverage", lang, comune=comune, sources=said))
    return lines


def register(app: typer.Typer) -> None:
    """Add the ``geocode`` command to the application."""
    app.command("geocode")(geocode_command)
