"""Registry of the official open datasets: what each is, who publishes it, where.

Each dataset is described once (publisher, licence, attribution, official URL,
file name in the local mirror, expected fields). The other modules of
:mod:`geo_alloggi.datasets` locate, download and read the files it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError

__all__ = [
    "ANNCSU_INDIRIZZARIO_HEADER",
    "COMUNE_MILANO_PORTAL",
    "REGISTRY",
    "Dataset",
    "attribution",
    "get_dataset",
    "how_to_provide",
]

COMUNE_MILANO_PORTAL = "https://dati.comune.milano.it"


#: Header of the ANNCSU Indirizzario CSV, exactly as published (``;``-separated).
ANNCSU_INDIRIZZARIO_HEADER: tuple[str, ...] = (
    "CODICE_COMUNE",
    "CODICE_ISTAT",
    "PROGRESSIVO_NAZIONALE",
    "CODICE_COMUNALE",
    "ODONIMO",
    "LOCALITA'",
    "DIZIONE_LINGUA1",
    "DIZIONE_LINGUA2",
    "PROGRESSIVO_ACCESSO",
    "CODICE_COMUNALE_ACCESSO",
    "CIVICO",
    "ESPONENTE",
    "SPECIFICITA",
    "METRICO",
    "PROGRESSIVO_SNC",
    "COORD_X_COMUNE",
    "COORD_Y_COMUNE",
    "QUOTA",
    "METODO",
)


@dataclass(frozen=True)
class Dataset:
    """One official dataset.

    Attributes
    ----------
    name : str
        Registry key (``nil``, ``municipi``, ``comuni``, ``civici``,
        ``stradario``, ``anncsu``, ``anncsu_civici``).
    title, publisher, licence, attribution : str
        What to show a person; ``attribution`` goes on every map.
    url : str
        Official download URL of the current release.
    filename : str
        File name in the local mirror and in the cache.
    mirror_release : str
        Release date of the file kept in the project's mirror (``""`` when
        the release is read from the file itself, see ``release_member``).
    coverage : str
        Which territory the dataset covers.
    fields : tuple of str
        Fields the reader expects in the official file.
    landing_page : str
        The dataset's page on the publisher's portal.
    alternates : tuple of str
        The same dataset in other formats (e.g. a zipped Shapefile); used from
        a mirror when the main file is absent.
    extracts : tuple of str
        Partial extracts kept in the mirror (e.g. OSM-tag copies of two
        Municipi), readable by this module but never a substitute.
    official_filename : str
        Name of the downloaded file in the cache, when the URL does not end
        with one.
    release_member : str
        For a zip whose member's name carries the release date: a regular
        expression whose group ``date`` matches ``YYYYMMDD`` in that name
        (``INDIR_LOMB_20250301.csv``). The release is then read from the file
        and recorded with its checksum.
    frequency : str
        How often the publisher releases the dataset (``monthly``), when known.
    """

    name: str
    title: str
    publisher: str
    licence: str
    attribution: str
    url: str
    filename: str
    mirror_release: str
    coverage: str
    fields: tuple[str, ...]
    landing_page: str
    official_filename: str = ""
    alternates: tuple[str, ...] = field(default_factory=tuple)
    extracts: tuple[str, ...] = field(default_factory=tuple)
    release_member: str = ""
    frequency: str = ""

    @property
    def cache_filename(self) -> str:
        """Name of the downloaded file in the cache (the official one)."""
        return self.official_filename or self.url.rsplit("/", 1)[-1]


REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            name="nil",
            title="Nuclei di Identità Locale (NIL), PGT Milano 2030 (ds964)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="NIL: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/e8e765fc-d882-40b8-95d8-16ff3d39eb7c/"
                "resource/9c4e0776-56fc-4f3d-8a90-f4992a3be426/download/ds964_nil_wm.geojson"
            ),
            filename="milano_nil_pgt2030_wgs84.geojson",
            mirror_release="2020-02-05 (vigente; checked 2022-04)",
            coverage="Milano: 88 NIL",
            fields=("ID_NIL", "NIL", "Valido_dal", "Valido_al"),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds964-nil-vigenti-pgt-2030",
            alternates=("milano_nil_pgt2030_shp_2022.zip",),
        ),
        Dataset(
            name="municipi",
            title="Municipi di Milano (ds379)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="Municipi: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/36ba21c2-8b48-43ce-bbe1-e236a8a49ff6/"
                "resource/99ecd085-0b04-4fb2-a66e-9795694d4fc4/download/"
                "ds379_municipi_label.geojson"
            ),
            filename="milano_municipi_wgs84.geojson",
            mirror_release="2017-01-13",
            coverage="Milano: 9 Municipi",
            fields=("MUNICIPIO",),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds379-infogeo-municipi-superficie",
        ),
        Dataset(
            name="comuni",
            title="Comuni della Città metropolitana di Milano (ISTAT limits)",
            publisher="ISTAT (limits), openpolis (GeoJSON conversion)",
            licence="CC BY 4.0",
            attribution="Comuni: © ISTAT, CC BY; GeoJSON: openpolis",
            url=(
                "https://raw.githubusercontent.com/openpolis/geojson-italy/master/"
                "geojson/limits_P_15_municipalities.geojson"
            ),
            filename="comuni_citta_metropolitana_milano_2019.geojson",
            mirror_release="2019-01-01",
            coverage="Città metropolitana di Milano: 133 comuni",
            fields=("name", "com_istat_code", "com_catasto_code"),
            landing_page="https://www.istat.it/it/archivio/222527",
        ),
        Dataset(
            name="civici",
            title="Numeri civici con coordinate (ds634)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="Numeri civici: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/5c6519f6-6d26-41c9-b53b-6106e08d1b90/"
                "resource/533b4e63-3d78-4bb5-aeb4-6c5f648f7f21/download/"
                "ds634_civici_coordinategeografiche_20260901_final_csv.zip"
            ),
            filename="milano_civici_ds634_20200302.zip",
            mirror_release="2020-03-02",
            coverage="Milano: all 9 Municipi (about 63,000 civic numbers)",
            fields=(
                "CODICE_VIA",
                "NUMERO",
                "LETTERA",
                "BARRA",
                "BARRA2",
                "NUMEROCOMPLETO",
                "MUNICIPIO",
                "STATOCIVICO",
                "LAT_WGS84",
                "LONG_WGS84",
                "IDMASTER",
            ),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds634-numeri-civici-coordinate",
            extracts=(
                "milano_civici_municipio5_202010_osmtags.json",
                "milano_civici_municipio9_202005_osmtags.json",
            ),
        ),
        Dataset(
            name="stradario",
            title="Stradario con numeri civici e sezioni elettorali (DS2973 family)",
            publisher="Comune di Milano",
            licence="CC BY 4.0",
            attribution="Stradario: © Comune di Milano, CC BY 4.0",
            url=(
                f"{COMUNE_MILANO_PORTAL}/dataset/645e8e6a-aff3-47ef-9dce-4d102ff471b8/"
                "resource/e1a336d2-8dd6-483f-913f-4388758dd446/download/"
                "ds2973_stradario_referendum_2026.csv"
            ),
            filename="milano_stradario_sezioni_elettorali_2022.csv",
            mirror_release="2022 (electoral stradario)",
            coverage="Milano: every civic number, no coordinates",
            fields=("CODICE_VIA", "DESCRIZIONE_VIA", "CIVICO", "BARRATO", "CAP"),
            landing_page=f"{COMUNE_MILANO_PORTAL}/dataset/ds2973",
        ),
        Dataset(
            name="anncsu",
            title="ANNCSU street names of Lombardy (STRAD_LOMB)",
            publisher="Agenzia delle Entrate / ISTAT (ANNCSU)",
            licence="CC BY 4.0",
            attribution="Odonimi: © ANNCSU (Agenzia delle Entrate, ISTAT), CC BY 4.0",
            url=(
                "https://anncsu.open.agenziaentrate.gov.it/age-inspire/opendata/"
                "anncsu/getds.php?STRAD_LOMB"
            ),
            filename="anncsu_odonimi_lombardia_202502.csv.gz",
            mirror_release="2025-02-09",
            coverage="Lombardia: street names of 1,502 comuni, no coordinates",
            fields=("DUG", "DUF", "codice_belfiore"),
            landing_page="https://anncsu.open.agenziaentrate.gov.it/",
            official_filename="STRAD_LOMB.zip",
        ),
        Dataset(
            name="anncsu_civici",
            title="ANNCSU Indirizzario: civic-number accesses of Lombardy (INDIR_LOMB)",
            publisher="Agenzia delle Entrate / ISTAT (ANNCSU)",
            licence="CC BY 4.0",
            attribution=(
                "Numeri civici ANNCSU: © Agenzia delle Entrate, ISTAT, CC BY 4.0"
            ),
            url=(
                "https://anncsu.open.agenziaentrate.gov.it/age-inspire/opendata/"
                "anncsu/getds.php?INDIR_LOMB"
            ),
            filename="anncsu_indirizzi_lombardia.zip",
            mirror_release="",
            coverage=(
                "Lombardia: civic-number accesses of every comune, with "
                "coordinates where the comune surveyed them"
            ),
            fields=ANNCSU_INDIRIZZARIO_HEADER,
            landing_page="https://anncsu.open.agenziaentrate.gov.it/",
            official_filename="anncsu_indirizzi_lombardia.zip",
            release_member=r"^INDIR_[A-Z]+_(?P<date>\d{8})\.csv$",
            frequency="monthly",
        ),
    )
}


def get_dataset(name: str) -> Dataset:
    """Return the registry entry of dataset ``name``.

    Parameters
    ----------
    name : str
        A dataset name (see :func:`describe`).

    Returns
    -------
    Dataset
        Its registry entry.

    Raises
    ------
    DataUnavailableError
        ``name`` is not in :data:`REGISTRY`; the message lists the known names.
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise DataUnavailableError(
            f"unknown dataset {name!r}; known datasets: {sorted(REGISTRY)!r}"
        ) from None


def how_to_provide(ds: Dataset) -> str:
    """Say how a user provides the file of ``ds`` (download, fetch or mirror).

    Parameters
    ----------
    ds : Dataset
        A registry entry.

    Returns
    -------
    str
        The instructions, one paragraph.
    """
    return (
        f"download {ds.url} (publisher: {ds.publisher}, {ds.licence}) and either "
        f"run 'geo-alloggi data fetch {ds.name}' where the network is reachable, "
        f"or put the file as {ds.filename!r} in a folder named by {config.MIRROR_ENV}"
    )


def attribution(names: list[str] | None = None) -> str:
    """Licence attribution text for the given datasets (all by default).

    Parameters
    ----------
    names : list of str or None, default None
        Dataset names (default: every dataset of the registry).

    Returns
    -------
    str
        The attributions of the datasets, joined by ``"; "``.
    """
    return "; ".join(REGISTRY[n].attribution for n in (names or list(REGISTRY)))
