"""The official lists and zonings the service ships, where each comes from and how it is read.

Each list is a CSV file under ``guichet/territories/data/`` (see ``PROVENANCE.md`` there).
``guichet territories refresh`` downloads the lists that have an open-data URL into the
instance folder (``instance/territories/``); a downloaded copy replaces the shipped one only
once it has been read whole, has the columns below and is not suspiciously shorter than the
list it replaces.

Refresh URLs: the files copied byte for byte have the URL of the very file they are a copy of
(raw files of the public repositories that carry the State's open data, as PROVENANCE.md
says). Lists that were reshaped for shipping (ACV, PVD, Villages d'avenir, QPV, Territoires
d'industrie) have no upstream file of that shape: their URL is None (they are kept as shipped)
unless the operator sets one in ``TERRITORIES_SOURCE_URLS`` (key → URL), for instance ANCT's
own CSV on data.gouv.fr, which has the same ``insee_com`` / ``id_*`` columns.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
# A refreshed list shorter than this share of the loaded one is refused (a truncated download).
MIN_SHARE_OF_PREVIOUS = 0.8


@dataclass(frozen=True)
class OfficialList:
    key: str
    filename: str
    title: str  # French, for messages and the « À propos » page
    producer: str
    columns: tuple[str, ...]  # required columns
    min_rows: int  # fewer rows than this is not the official list
    url: str | None = None
    delimiter: str = ","


_RAW = "https://raw.githubusercontent.com"
LISTS = {item.key: item for item in (
    OfficialList("croisement", "anct-croisement-dispositifs-cog2023.csv",
                 "Croisement des dispositifs de l’ANCT", "ANCT",
                 ("insee_com", "id_pvd", "id_ti", "id_acv", "id_acv2", "id_va"), 30_000,
                 f"{_RAW}/MTES-MCT/zero-logement-vacant/c5244255c0913013c06af1486a37e42036e1e386/"
                 "analytics/dbt/seeds/ngeo-anct-cog2023.csv"),
    OfficialList("acv", "anct-action-coeur-de-ville-communes.csv", "Action Cœur de ville", "ANCT",
                 ("insee_com", "id_acv", "lib_acv"), 200),
    OfficialList("acv-entrees", "anct-acv-entrees-de-ville-communes.csv",
                 "Action Cœur de ville — entrées de ville", "ANCT", ("insee_com", "id_acv2"), 30),
    OfficialList("pvd", "anct-petites-villes-de-demain-communes.csv", "Petites villes de demain", "ANCT",
                 ("insee_com", "id_pvd", "lib_pvd", "date_signature"), 1_400),
    OfficialList("villages-avenir", "anct-villages-davenir-communes.csv", "Villages d’avenir", "ANCT",
                 ("insee_com", "id_va"), 2_000),
    OfficialList("territoires-industrie", "anct-territoires-dindustrie-groupements.csv",
                 "Territoires d’industrie (intercommunalités)", "ANCT",
                 ("id_ti", "lib_ti", "siren_groupement"), 400),
    OfficialList("qpv", "qpv-2024-communes.csv", "Quartiers prioritaires de la politique de la ville 2024",
                 "ANCT", ("insee_com", "code_qp", "lib_qp"), 1_400),
    OfficialList("frr", "liste-communes-FRR-juillet2025.csv", "France Ruralités Revitalisation (juillet 2025)",
                 "DGCL", ("Code_insee", "Classement FRR et FRR+ au 10 juillet 2025"), 30_000,
                 f"{_RAW}/incubateur-ademe/benefriches/23f401f86c870d59423f3532c85f8ab56f196108/"
                 "apps/api/data/france-ruralites/liste-communes-FRR-juillet2025.csv", delimiter=";"),
    OfficialList("montagne", "ot-montagne-communes-cog2025.csv", "Communes de montagne",
                 "Observatoire des territoires (ANCT)", ("insee_com", "niveau_montagne"), 8_000,
                 f"{_RAW}/anct-carto/superposeur-V2/e66bddfa442168708e4bb9a57399d69a724c4f19/data/grilles/montagne.csv"),
    OfficialList("densite", "ot-densite-communes-cog2025.csv", "Grille communale de densité (INSEE)",
                 "INSEE, Observatoire des territoires", ("insee_com", "niveau_densite"), 30_000,
                 f"{_RAW}/anct-carto/superposeur-V2/e66bddfa442168708e4bb9a57399d69a724c4f19/data/grilles/densite.csv"),
    OfficialList("centralite", "ot-centralite-communes-cog2025.csv", "Centralités (ANCT, INRAE)",
                 "Observatoire des territoires (ANCT)", ("insee_com", "niveau_centralite"), 30_000,
                 f"{_RAW}/anct-carto/superposeur-V2/e66bddfa442168708e4bb9a57399d69a724c4f19/data/grilles/centralite.csv"),
    OfficialList("ruralite", "ot-ruralite-communes-cog2025.csv", "Typologie des ruralités (ANCT)",
                 "Observatoire des territoires (ANCT)", ("insee_com", "niveau_ruralite"), 30_000,
                 f"{_RAW}/anct-carto/superposeur-V2/e66bddfa442168708e4bb9a57399d69a724c4f19/data/grilles/ruralite.csv"),
    OfficialList("france-services", "anct-france-services-2024-08.csv", "France services", "ANCT",
                 ("id_fs", "insee_com"), 2_000,
                 f"{_RAW}/anct-carto/france_services/e1016fd717a8c9cc53406621959c837fb74fc0c9/data/liste-fs-20240801.csv"),
    OfficialList("ort", "ort-operations-revitalisation-territoire.csv",
                 "Opérations de revitalisation de territoire", "ANCT",
                 ("Code commune", "Signée ?", "Si signée, date de signature"), 1_500,
                 f"{_RAW}/MTES-MCT/zero-logement-vacant/ec979043807a005cb361895ca4624eeb584d7ab0/analytics/dbt/seeds/ort.csv"),
)}


class InvalidList(ValueError):
    """A file is not the official list it should be; ``message`` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse(official: OfficialList, content: bytes) -> list[dict]:
    """The rows of a list's CSV (header names stripped, values stripped); raises InvalidList."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidList(f"{official.title} : le fichier n’est pas en UTF-8.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=official.delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in official.columns if column not in header]
    if missing:
        raise InvalidList(f"{official.title} : colonnes absentes ({', '.join(missing)}) ; "
                          "ce n’est pas le format attendu.")
    reader.fieldnames = header
    try:
        rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
    except csv.Error as error:
        raise InvalidList(f"{official.title} : CSV illisible ({error}).") from None
    if len(rows) < official.min_rows:
        raise InvalidList(f"{official.title} : {len(rows)} lignes seulement, au moins {official.min_rows} "
                          "attendues ; la liste semble tronquée.")
    return rows
