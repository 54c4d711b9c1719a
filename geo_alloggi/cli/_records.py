"""``geo-alloggi validate KIND FILE``: check a record file, write the results."""

from __future__ import annotations

import re
from collections import Counter
from functools import partial
from pathlib import Path

import typer

from geo_alloggi.cli._common import (
    COMUNI_HELP,
    busy,
    console,
    count,
    kind_word,
    say,
    set_lang,
    split_comuni,
)


def _parse_mapping(items: list[str] | None) -> dict[str, str | None]:
    from geo_alloggi._errors import ValidationError

    mapping: dict[str, str | None] = {}
    for item in items or []:
        if "=" not in item:
            raise ValidationError(
                f"--column {item!r} must be HEADER=COLUMN (or HEADER= to ignore it)"
            )
        src, dst = item.split("=", 1)
        mapping[src.strip()] = dst.strip() or None
    return mapping


#: Italian names of the record kinds, accepted on the command line.
_KIND_NAMES = {
    "stabili": "estates",
    "occupazioni": "occupations",
    "sgomberi": "evictions",
    "sfitti": "vacancies",
}


def _reason_kind(reason: str) -> str:
    """Return the reason without the row's values, to count reasons by kind."""
    text = re.sub(r"'[^']*'", "…", reason)
    text = re.sub(r"\([^)]*\)", "", text)
    text = re.sub(r"\d{2}/\d{2}/\d{4}", "…", text)
    text = re.sub(r"-?\d+(\.\d+)?", "…", text)
    text = re.sub(r"\s+,", ",", text)
    return re.sub(r"\s+", " ", text).strip(" ;,")


def validate(
    kind: str = typer.Argument(
        ...,
        help="estates, occupations, evictions or vacancies (or stabili, "
        "occupazioni, sgomberi, sfitti).",
    ),
    file: Path = typer.Argument(
        ..., help="CSV, XLSX, GeoPackage or GeoJSON file to check."
    ),
    out_dir: Path = typer.Option(
        ..., "--out-dir", "-o", help="Folder for accepted.csv and quarantine.csv."
    ),
    estates: Path | None = typer.Option(
        None,
        "--estates",
        help="Estates file: records naming an unknown estate id are quarantined.",
    ),
    column: list[str] | None = typer.Option(
        None,
        "--column",
        "-c",
        help="Map a header to a column, e.g. --column 'Cod. immobile=estate_id' "
        "('HEADER=' ignores the header). Repeatable.",
    ),
    sheet: str | None = typer.Option(None, help="XLSX sheet (default: the first)."),
    layer: str | None = typer.Option(None, help="GeoPackage layer."),
    area_check: bool = typer.Option(
        True,
        "--area-check/--no-area-check",
        help="Check coordinates fall in the study area.",
    ),
    comuni: list[str] | None = typer.Option(None, "--comuni", help=COMUNI_HELP),
    lang: str = typer.Option(
        "it", help="it: ';' and decimal comma (Italian Excel); en: ',' and point."
    ),
) -> None:
    """Check a record file; write DIR/accepted.csv and DIR/quarantine.csv.

    Exit code 0 when the file could be read (even with quarantined rows);
    2 with one line on stderr when it could not (missing, empty, not a table,
    a required column missing...).
    """
    from geo_alloggi._errors import InputFileError
    from geo_alloggi._i18n import quarantine_in
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.io import KINDS, label_row_numbers, read_records, write_table

    kind = _KIND_NAMES.get(kind.strip().lower(), kind)
    set_lang(lang)
    if kind not in KINDS:
        from geo_alloggi._errors import ValidationError

        raise ValidationError(f"KIND {kind!r} is not one of {list(KINDS)!r}")
    # the official study area, loaded only for a file with coordinates
    study_area = partial(load_districts, "study_area", comuni=split_comuni(comuni))
    known = None
    if estates is not None:
        with busy("cli.busy.reading_estates", file=estates.name):
            est = read_records(
                estates, "estates", study_area=study_area, check_area=area_check
            )
        known = est.accepted
        say(
            "cli.validate.estates_quarantined"
            if len(est.quarantine)
            else "cli.validate.estates",
            accepted=count(len(est.accepted)),
            quarantined=count(len(est.quarantine)),
        )
    with busy("cli.busy.reading", file=file.name):
        result = read_records(
            file,
            kind,
            columns=_parse_mapping(column),
            estates=known,
            study_area=study_area,
            check_area=area_check,
            sheet=int(sheet) if sheet is not None and sheet.isdigit() else sheet,
            layer=layer,
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError(
            f"--out-dir {str(out_dir)!r} is a file; give a folder (it is created "
            "if missing)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    # the first column says what the row numbers count (file_line, sheet_row)
    fmt = result.file_format
    accepted_path = write_table(
        label_row_numbers(result.accepted, fmt), out_dir / "accepted.csv", lang=lang
    )
    # the reasons in the command's language, in the file and in the summary
    quarantine = quarantine_in(result.quarantine, lang)
    quarantine_path = write_table(
        label_row_numbers(quarantine, fmt),
        out_dir / "quarantine.csv",
        lang=lang,
    )
    say(
        "cli.validate.counts",
        kind=kind_word(kind),
        rows=count(result.rows_read),
        accepted=count(len(result.accepted)),
        quarantined=count(len(result.quarantine)),
    )
    if len(result.quarantine):
        kinds = Counter(
            _reason_kind(part)
            for reason in quarantine["reason"].tolist()
            for part in str(reason).split("; ")
        )
        say("cli.validate.reasons")
        for text, n in kinds.most_common(8):
            console.print(f"  {count(n):>8}  {text}", markup=False, highlight=False)
    if result.dropped_columns:
        say("cli.validate.dropped", columns=", ".join(result.dropped_columns))
    say("cli.validate.accepted", path=accepted_path)
    say("cli.validate.quarantine", path=quarantine_path)


def register(app: typer.Typer) -> None:
    """Add the ``validate`` command to the main app."""
    app.command("validate")(validate)
