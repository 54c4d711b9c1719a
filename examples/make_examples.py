"""Write the SYNTHETIC example record files used by ``examples/run.toml``.

    python examples/make_examples.py

They are a small slice of :func:`geo_alloggi.synthetic.make_demo` (three areas of
Milan and Cinisello Balsamo), written the way offices write them: Italian headers,
semicolons, decimal commas, dd/mm/yyyy dates, cp1252, one XLSX. Every row says
SYNTHETIC in its ``fonte`` column.
"""

from __future__ import annotations

from pathlib import Path

from geo_alloggi.synthetic import make_demo

HERE = Path(__file__).resolve().parent
AREAS = ("MI-NIL-57", "MI-NIL-35", "MI-NIL-76", "CINISELLO")


def main() -> None:
    """Write the four example files next to this script."""
    from geo_alloggi import load_districts
    from geo_alloggi.priorities import estate_districts

    rec = make_demo(seed=1, messy=True)
    where = estate_districts(rec.estates, load_districts("study_area"))
    keep = set(where[where.isin(AREAS)].index)
    est = rec.estates[rec.estates["estate_id"].isin(keep)]
    est = est.drop(columns="geometry").rename(
        columns={
            "estate_id": "codice_stabile",
            "name": "nome_stabile",
            "address": "indirizzo",
            "owner": "ente_gestore",
            "units": "alloggi",
            "lon": "longitudine",
            "lat": "latitudine",
            "source": "fonte",
        }
    )[
        [
            "codice_stabile",
            "nome_stabile",
            "indirizzo",
            "comune",
            "ente_gestore",
            "alloggi",
            "longitudine",
            "latitudine",
            "fonte",
        ]
    ]
    est.to_csv(
        HERE / "estates.csv", sep=";", decimal=",", index=False, encoding="cp1252"
    )

    def mine(df):
        return df[df["estate_id"].isin(keep)]

    occ = mine(rec.occupations)[
        [
            "record_id",
            "estate_id",
            "unit_id",
            "detected_on",
            "ended_on",
            "status",
            "source",
        ]
    ].copy()
    for col in ("detected_on", "ended_on"):
        occ[col] = occ[col].dt.strftime("%d/%m/%Y")
    occ["status"] = occ["status"].map({"ongoing": "in corso", "ended": "liberato"})
    occ.rename(
        columns={
            "record_id": "id_verbale",
            "estate_id": "codice_stabile",
            "unit_id": "codice_alloggio",
            "detected_on": "data_rilevazione",
            "ended_on": "data_liberazione",
            "status": "stato",
            "source": "fonte",
        }
    ).to_csv(HERE / "occupations.csv", sep=";", index=False, encoding="cp1252")

    ev = mine(rec.evictions)[
        ["record_id", "estate_id", "unit_id", "date", "outcome", "vulnerable", "source"]
    ].copy()
    ev["outcome"] = ev["outcome"].map(
        {
            "executed": "eseguito",
            "scheduled": "programmato",
            "postponed": "rinviato",
            "failed": "fallito",
        }
    )
    ev["vulnerable"] = ev["vulnerable"].map({True: "sì", False: "no"})
    ev.rename(
        columns={
            "record_id": "id_sgombero",
            "estate_id": "codice_stabile",
            "unit_id": "codice_alloggio",
            "date": "data_sgombero",
            "outcome": "esito",
            "vulnerable": "nucleo_fragile",
            "source": "fonte",
        }
    ).to_excel(HERE / "evictions.xlsx", index=False)

    vac = mine(rec.vacancies)[
        [
            "record_id",
            "estate_id",
            "unit_id",
            "since",
            "ended_on",
            "reason",
            "renovation_cost_eur",
            "source",
        ]
    ].copy()
    vac.to_csv(HERE / "vacancies.csv", index=False, encoding="utf-8")


if __name__ == "__main__":
    main()
