"""Loading the official commune reference into the store.

The data comes from the npm package ``@etalab/decoupage-administratif`` (COG, INSEE
population municipale, EPCI with their members), installed by ``make run`` / ``make test``
under node_modules/. A load replaces the whole reference inside one transaction (readers keep
the previous one until it commits) and is skipped when the same data version is loaded.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import delete, insert, select

from guichet.config import ROOT
from guichet.communes.models import Commune, CommuneAlias, Department, Epci, ReferenceVersion, Region
from guichet.communes.names import search_key

PACKAGE_DIR = ROOT / "node_modules" / "@etalab" / "decoupage-administratif"
DATA_FILES = ("regions.json", "departements.json", "epci.json", "communes.json")
BATCH = 5000


class ReferenceMissing(RuntimeError):
    """The data files are not there (node_modules not installed)."""


@dataclass
class LoadResult:
    version: str
    loaded: bool  # False when this version was already in the store
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


def data_directory(config) -> Path:
    return Path(config.get("COMMUNES_DATA_DIR") or PACKAGE_DIR / "data")


def _read_files(directory: Path) -> tuple[str, dict[str, bytes]]:
    missing = [name for name in DATA_FILES if not (directory / name).is_file()]
    if missing:
        raise ReferenceMissing(f"Données des communes introuvables dans {directory} ({', '.join(missing)}) : "
                               "installez les paquets npm (make install ou npm ci).")
    contents = {name: (directory / name).read_bytes() for name in DATA_FILES}
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode())
        digest.update(contents[name])
    package_version = "local"
    package_json = directory.parent / "package.json"
    if package_json.is_file():
        package_version = json.loads(package_json.read_text(encoding="utf-8")).get("version", "local")
    return f"{package_version}+{digest.hexdigest()[:16]}", contents


def loaded_version(connection) -> str | None:
    return connection.execute(select(ReferenceVersion.version).order_by(ReferenceVersion.id.desc()).limit(1)).scalar()


def build_rows(contents: dict[str, bytes]) -> dict[str, list[dict]]:
    """Rows of every reference table from the package's JSON files."""
    regions = json.loads(contents["regions.json"])
    departments = json.loads(contents["departements.json"])
    epcis = json.loads(contents["epci.json"])
    communes = json.loads(contents["communes.json"])

    epci_of = {member["code"]: epci["code"] for epci in epcis for member in epci.get("membres", [])}
    current = {row["code"]: row for row in communes if row["type"] == "commune-actuelle"}
    commune_rows = [{
        "code": row["code"], "name": row["nom"], "type": row["type"], "population": row.get("population"),
        "department": row["departement"], "region": row["region"], "postcodes": row.get("codesPostaux", []),
        "epci_code": epci_of.get(row["code"]), "siren": row.get("siren"), "zone": row.get("zone"),
        "search_name": search_key(row["nom"]),
    } for row in current.values()]

    alias_rows = []
    named = set()
    for row in communes:
        if row["type"] == "commune-actuelle":
            continue
        parent = row.get("commune") if row["type"] == "arrondissement-municipal" else row.get("chefLieu")
        if parent not in current:
            continue  # never happens in the published data; a dangling alias would break the foreign key
        named.add((row["code"], parent))
        alias_rows.append({"code": row["code"], "name": row["nom"], "kind": row["type"], "commune_code": parent,
                           "postcodes": row.get("codesPostaux", []), "population": row.get("population"),
                           "search_name": search_key(row["nom"])})
    for row in current.values():
        for old_code in row.get("anciensCodes", []):
            if (old_code, row["code"]) not in named and old_code not in current:
                alias_rows.append({"code": old_code, "name": None, "kind": "ancien-code", "commune_code": row["code"],
                                   "postcodes": [], "population": None, "search_name": None})

    return {
        "regions": [{"code": row["code"], "name": row["nom"]} for row in regions],
        "departments": [{"code": row["code"], "name": row["nom"], "region": row["region"]} for row in departments],
        "epcis": [{"code": row["code"], "name": row["nom"], "type": row["type"],
                   "financing": row.get("modeFinancement"), "population_total": row.get("populationTotale"),
                   "population": row.get("populationMunicipale"), "member_count": len(row.get("membres", []))}
                  for row in epcis],
        "communes": commune_rows,
        "aliases": alias_rows,
    }


def load_reference(database, directory: Path, force: bool = False,
                   echo: Callable[[str], None] | None = None) -> LoadResult:
    """Load the reference from ``directory`` into the store, unless that version is there already."""
    echo = echo or (lambda _message: None)
    started = time.perf_counter()
    version, contents = _read_files(directory)
    with database.engine.connect() as connection:
        current = loaded_version(connection)
    if current == version and not force:
        return LoadResult(version, loaded=False, seconds=time.perf_counter() - started)

    echo(f"Lecture des fichiers de {directory}…")
    rows = build_rows(contents)
    tables = (("regions", Region), ("departments", Department), ("epcis", Epci), ("communes", Commune),
              ("aliases", CommuneAlias))
    with database.engine.begin() as connection:
        for _name, model in reversed(tables):
            connection.execute(delete(model))
        connection.execute(delete(ReferenceVersion))
        for name, model in tables:
            batch_rows = rows[name]
            for start in range(0, len(batch_rows), BATCH):
                connection.execute(insert(model), batch_rows[start:start + BATCH])
                echo(f"  {name} : {min(start + BATCH, len(batch_rows))}/{len(batch_rows)}")
        connection.execute(insert(ReferenceVersion), [{
            "version": version, "loaded_at": datetime.now(timezone.utc).replace(tzinfo=None),
            "communes": len(rows["communes"]), "aliases": len(rows["aliases"]), "epcis": len(rows["epcis"])}])
    counts = {name: len(table_rows) for name, table_rows in rows.items()}
    return LoadResult(version, loaded=True, counts=counts, seconds=time.perf_counter() - started)
