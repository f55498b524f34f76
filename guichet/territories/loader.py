"""Loading the official lists into ``commune_territories``: one row per current commune.

Codes of the lists are brought to today's communes with the commune reference of the store
(``commune_aliases``, from ``@etalab/decoupage-administratif``): the old code of a merged
commune, a delegated commune or an arrondissement of Paris, Lyon or Marseille counts for the
commune it now belongs to. A code that no current commune has is counted as unmatched. A load
replaces every row in one transaction and is skipped when every list is the one loaded.
"""

import hashlib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import delete, insert, select

from guichet.territories.lists import DATA_DIR, LISTS, OfficialList, parse
from guichet.territories.models import CommuneTerritory, TerritoryList
from guichet.programmes.conditions import DENSITY_LEVELS, FRR_FULL, FRR_PARTIAL, RURAL_DENSITY_LEVELS

BATCH = 5000
# The row of ``territory_lists`` that records which commune reference the codes were mapped with.
REFERENCE_KEY = "commune-reference"
_DENSITY_BY_NAME = {name: level for level, name in DENSITY_LEVELS.items()}
_FRR_BY_NAME = {"FRR socle": "socle", "FRR+": "plus", "FRR bénéficiaire": "beneficiaire",
                "FRR bénéficiaire partiellement": "beneficiaire-partiel", "Classée FRR partiellement": "partiel"}
_MASSIF = re.compile(r"^\d+\s*-\s*(?P<name>.+)$")


@dataclass
class LoadResult:
    loaded: bool
    communes: int = 0
    lists: dict = field(default_factory=dict)  # key → (rows, unmatched)
    seconds: float = 0.0


def refreshed_dir(instance_path) -> Path:
    """Where `guichet territories refresh` keeps the lists it downloaded (they win over the shipped ones)."""
    return Path(instance_path) / "territories"


def effective_files(instance_path) -> dict[str, tuple[Path, str]]:
    """key → (file to read, origin): the refreshed copy when there is one, else the shipped file."""
    refreshed = refreshed_dir(instance_path)
    files = {}
    for key, official in LISTS.items():
        copy = refreshed / official.filename
        if copy.is_file():
            origin = (refreshed / (official.filename + ".origin"))
            files[key] = (copy, origin.read_text(encoding="utf-8").strip() if origin.is_file() else "refreshed")
        else:
            files[key] = (DATA_DIR / official.filename, "shipped")
    return files


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


class _Codes:
    """Today's commune for a code of a list (its own, or a former commune's)."""

    def __init__(self, connection):
        self.current = {code for (code,) in connection.execute(select(_communes().c.code))}
        aliases = connection.exec_driver_sql("SELECT code, commune_code FROM commune_aliases ORDER BY id")
        self.aliases = {}
        for code, commune_code in aliases:
            self.aliases.setdefault(code, commune_code)
        self.epci_members = defaultdict(list)
        for code, epci_code in connection.exec_driver_sql(
                "SELECT code, epci_code FROM communes WHERE epci_code IS NOT NULL"):
            self.epci_members[epci_code].append(code)

    def resolve(self, code: str) -> str | None:
        code = (code or "").strip().upper()
        if code in self.current:
            return code
        return self.aliases.get(code)


def _communes():
    """The commune reference's table as the loader reads it (codes only), without depending on
    guichet.communes, whose pages show these lists."""
    from sqlalchemy import column, table

    return table("communes", column("code"))


def build_rows(tables: dict[str, list[dict]], codes: _Codes) -> tuple[list[dict], dict]:
    """Rows of ``commune_territories`` from every list's parsed rows; and per list (rows, unmatched)."""
    rows: dict[str, dict] = {}
    stats = {}

    def row_of(code):
        current = codes.resolve(code)
        if current is None:
            return None
        row = rows.get(current)
        if row is None:
            row = rows[current] = {"code": current, "industry_territories": [], "qpv": [], "france_services": 0}
        return row

    def each(key, handle):
        unmatched = 0
        for item in tables[key]:
            code = item.get("insee_com") or item.get("Code_insee") or item.get("Code commune") or ""
            row = row_of(code)
            if row is None:
                unmatched += 1
                continue
            handle(row, item)
        stats[key] = (len(tables[key]), unmatched)

    def acv(row, item):
        row["acv_id"] = item["id_acv"] or row.get("acv_id")
        row["acv_name"] = item.get("lib_acv") or row.get("acv_name")
        row["acv_signed_on"] = _date(item.get("date_signature", "")) or row.get("acv_signed_on")

    def pvd(row, item):
        row["pvd_id"] = item["id_pvd"] or row.get("pvd_id")
        row["pvd_name"] = item.get("lib_pvd") or row.get("pvd_name")
        row["pvd_signed_on"] = _date(item.get("date_signature", "")) or row.get("pvd_signed_on")

    def qpv(row, item):
        if all(known["code"] != item["code_qp"] for known in row["qpv"]):
            row["qpv"].append({"code": item["code_qp"], "name": item["lib_qp"]})

    def frr(row, item):
        level = _FRR_BY_NAME.get(item["Classement FRR et FRR+ au 10 juillet 2025"])
        if level:
            row["frr"] = level

    def montagne(row, item):
        match = _MASSIF.match(item["niveau_montagne"])
        row["massif"] = match.group("name").strip() if match else item["niveau_montagne"]

    def density(row, item):
        row["density_level"] = _DENSITY_BY_NAME.get(item["niveau_densite"])

    def centrality(row, item):
        value = item["niveau_centralite"].strip()
        row["centrality"] = None if not value or "undefined" in value else value

    def rurality(row, item):
        row["rurality"] = item["niveau_ruralite"].strip() or None

    def france_services(row, _item):
        row["france_services"] += 1

    def ort(row, item):
        signed = item["Signée ?"].strip().lower()
        status = {"signée": "signee", "en cours": "en-cours", "non signée": "non-signee"}.get(signed)
        if status and (row.get("ort_status") != "signee"):
            row["ort_status"] = status
            row["ort_signed_on"] = _date(item["Si signée, date de signature"]) if status == "signee" else None

    each("acv", acv)
    each("acv-entrees", lambda row, item: row.__setitem__("acv_entrance_id", item["id_acv2"]))
    each("pvd", pvd)
    each("villages-avenir", lambda row, item: row.__setitem__("village_avenir_id", item["id_va"]))
    each("qpv", qpv)
    each("frr", frr)
    each("montagne", montagne)
    each("densite", density)
    each("centralite", centrality)
    each("ruralite", rurality)
    each("france-services", france_services)
    each("ort", ort)

    # Territoires d'industrie: the groupements' current member communes, then the croisement
    # table (which also covers the EPT of the Grand Paris, not in the EPCI reference).
    names = {item["id_ti"]: item["lib_ti"] for item in tables["territoires-industrie"]}

    def add_ti(row, ti_id):
        if all(known["id"] != ti_id for known in row["industry_territories"]):
            row["industry_territories"].append({"id": ti_id, "name": names.get(ti_id, ti_id)})

    unmatched = 0
    for item in tables["territoires-industrie"]:
        members = codes.epci_members.get(item["siren_groupement"], [])
        if not members:
            unmatched += 1
        for code in members:
            add_ti(row_of(code), item["id_ti"])
    stats["territoires-industrie"] = (len(tables["territoires-industrie"]), unmatched)

    # The croisement table fills what the lists lack (Rambouillet's ACV, 8 PVD ...).
    def croisement(row, item):
        if item["id_acv"] and not row.get("acv_id"):
            row["acv_id"] = item["id_acv"]
        if item["id_acv2"] and not row.get("acv_entrance_id"):
            row["acv_entrance_id"] = item["id_acv2"]
        if item["id_pvd"] and not row.get("pvd_id"):
            row["pvd_id"] = item["id_pvd"]
        if item["id_va"] and not row.get("village_avenir_id"):
            row["village_avenir_id"] = item["id_va"]
        for ti_id in filter(None, (part.strip() for part in item["id_ti"].split(";"))):
            add_ti(row, ti_id)

    each("croisement", croisement)

    for row in rows.values():
        row["conditions"], row["partial_conditions"] = conditions_of(row)
    return list(rows.values()), stats


def conditions_of(row: dict) -> tuple[list[str], list[str]]:
    """The condition slugs a commune meets in full, and those it meets in part."""
    full, partial = [], []
    if row.get("acv_id") or row.get("acv_entrance_id"):
        full.append("acv")
    if row.get("pvd_id"):
        full.append("pvd")
    if row.get("village_avenir_id"):
        full.append("villages-avenir")
    if row.get("qpv"):
        full.append("qpv")
    if row.get("frr") in FRR_FULL:
        full.append("frr")
    elif row.get("frr") in FRR_PARTIAL:
        partial.append("frr")
    if row.get("massif"):
        full.append("montagne")
    if row.get("industry_territories"):
        full.append("territoires-industrie")
    if row.get("ort_status") == "signee":
        full.append("ort")
    if row.get("density_level") in RURAL_DENSITY_LEVELS:
        full.append("rural")
    return full, partial


_COLUMNS = [column.name for column in CommuneTerritory.__table__.columns]


def load_territories(database, instance_path, force: bool = False,
                     echo: Callable[[str], None] | None = None,
                     files: dict[str, tuple[Path, str]] | None = None) -> LoadResult:
    """Load every list into the store, unless each is the version already loaded."""
    echo = echo or (lambda _message: None)
    started = time.perf_counter()
    files = files or effective_files(instance_path)
    contents = {key: path.read_bytes() for key, (path, _origin) in files.items()}
    digests = {key: _digest(content) for key, content in contents.items()}
    with database.engine.connect() as connection:
        loaded = dict(connection.execute(select(TerritoryList.key, TerritoryList.digest)).all())
        has_communes = connection.exec_driver_sql("SELECT count(*) FROM communes").scalar()
        # Codes are mapped through the commune reference: a new one means a new load.
        reference = connection.exec_driver_sql(
            "SELECT version FROM commune_reference ORDER BY id DESC LIMIT 1").scalar() or "none"
    digests[REFERENCE_KEY] = _digest(reference.encode())
    if loaded == digests and not force:
        return LoadResult(loaded=False, seconds=time.perf_counter() - started)
    tables = {key: parse(LISTS[key], content) for key, content in contents.items()}  # InvalidList if broken
    with database.engine.begin() as connection:
        codes = _Codes(connection)
        rows, stats = build_rows(tables, codes)
        connection.execute(delete(CommuneTerritory))
        connection.execute(delete(TerritoryList))
        complete = [{column: row.get(column) for column in _COLUMNS} for row in rows]
        for item in complete:
            item["france_services"] = item["france_services"] or 0
        for start in range(0, len(complete), BATCH):
            connection.execute(insert(CommuneTerritory), complete[start:start + BATCH])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        connection.execute(insert(TerritoryList), [
            {"key": key, "origin": files[key][1], "digest": digests[key], "rows": stats[key][0],
             "unmatched": stats[key][1], "loaded_at": now} for key in LISTS] + [
            {"key": REFERENCE_KEY, "origin": reference, "digest": digests[REFERENCE_KEY], "rows": len(codes.current),
             "unmatched": 0, "loaded_at": now}])
    echo(f"{len(rows)} communes, {len(LISTS)} listes" + ("" if has_communes else
                                                          " (référentiel des communes absent : rien à rattacher)"))
    return LoadResult(loaded=True, communes=len(rows), lists=stats, seconds=time.perf_counter() - started)


def read_list(official: OfficialList, path: Path) -> list[dict]:
    return parse(official, path.read_bytes())
