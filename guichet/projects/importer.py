"""Importing the State's lists of funded projects into the store.

Two formats, as the State publishes them:

- ``fonds-vert``: the Fonds vert laureates (`;`-separated; ``code_commune`` lost its leading
  zero for départements 01–09 and is ``NULL`` for projects without a commune; amounts are
  French, ``21 667,00 €``);
- ``dotations``: the DGCL's DETR / DSIL / DSID projects (`,`-separated; ``id_terr`` is a
  commune INSEE code, an EPCI SIREN or a département code; amounts with a decimal point).

Each row is checked on its own: an unknown commune, an unreadable amount (« n.c. »), a row
whose fields do not fit the header (wrong separator) or a row seen twice is reported with its
line number and left out; the rest is applied inside one transaction, so an import never
half-applies. Each project has a stable key (the list's own identifiers), and a content hash:
importing the same file again adds and changes nothing.
"""

import csv
import hashlib
import io
import json
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import insert, select, update

from guichet.communes.models import Commune, CommuneAlias, Epci
from guichet.projects.models import FundedProject, ProjectImport
from guichet.text import fold, slugify

KINDS = ("fonds-vert", "dotations")

# Columns each format needs, with the other spellings later files use (left: our name).
COLUMNS = {
    "fonds-vert": {
        "department": ("code_departement", "departement", "code_dep"),
        "commune": ("code_commune", "code_insee", "insee_com", "code_commune_insee"),
        "commune_name": ("nom_commune", "commune"),
        "measure": ("nom_demarche_ds", "demarche", "mesure", "nom_mesure"),
        "dossier": ("numero_dossier_ds", "numero_dossier", "dossier"),
        "title": ("nom_du_projet", "nom_projet", "projet", "intitule_projet"),
        "summary": ("resume_du_projet", "resume_projet"),
        "beneficiary": ("nom_beneficiaire_principal", "raison_sociale_beneficiaire", "beneficiaire", "nom_beneficiaire"),
        "siren": ("siren", "siren_beneficiaire", "siret_beneficiaire"),
        "amount": ("montant_engage", "montant", "montant_subvention", "subvention"),
        "year": ("annee", "exercice"),
    },
    # 2019 as ANCT published it (id_terr …), and the DGCL's own yearly files on data.gouv.fr
    # (exercice;dispositif;…;beneficiaire_code_insee;intitule;cout_ht;subvention, `;` and
    # decimal commas).
    "dotations": {
        "id": ("id_projet", "identifiant"),
        "year": ("exercice", "annee"),
        "department": ("id_dep", "beneficiaire_dep", "code_departement"),
        "territory": ("id_terr", "beneficiaire_code_insee", "code_insee", "code_territoire"),
        "territory_name": ("nom_terr", "beneficiaire_nom", "nom_territoire"),
        "siren": ("beneficiaire_siren", "siren"),
        "population": ("pop19", "population"),
        "grant": ("dotation", "dispositif"),
        "level": ("echelon", "beneficiaire_type", "type_beneficiaire"),
        "category": ("categorie_code", "categorie"),
        "title": ("description", "intitule", "intitule_projet"),
        "total_cost": ("cout_total", "cout_ht", "cout_total_ht"),
        "amount": ("montant_sub", "subvention", "montant_subvention", "montant"),
    },
}
OPTIONAL = {"fonds-vert": {"commune_name", "beneficiary", "siren", "dossier", "summary", "year"},
            "dotations": {"territory_name", "population", "category", "total_cost", "id", "year", "siren", "level"}}

DGCL_CATEGORIES = {
    "1": "Santé, sanitaire et social",
    "2": "Économie et emploi",
    "3": "Environnement, transition énergétique et écologie",
    "4": "Éducation",
    "5": "Actions et services publics",
    "6": "Mise aux normes et sécurisation",
    "7": "Construction, habitat, urbanisme et transport",
    "8": "Contrat de ruralité",
}
GRANTS = {
    "DETR": ("curated-detr", "Dotation d'équipement des territoires ruraux (DETR)"),
    "DSIL": ("curated-dsil", "Dotation de soutien à l'investissement local (DSIL)"),
    "DSID": (None, "Dotation de soutien à l'investissement des départements (DSID)"),
    "DPV": ("curated-dotation-politique-de-la-ville", "Dotation politique de la ville (DPV)"),
}
_GRANT = re.compile(r"^(DETR|DSIL|DSID|DPV)\b")
# Fonds vert measures → the curated programme that describes them, by words of the measure's
# name (the démarche numbers change every year; the names barely do).
FONDS_VERT_PROGRAMMES = (
    (("eclairage",), "curated-fonds-vert-eclairage-public"),
    (("renovation", "batiments"), "curated-fonds-vert-renovation-batiments"),
    (("renaturation",), "curated-fonds-vert-renaturation"),
    (("recyclage", "foncier"), "curated-fonds-vert-recyclage-friches"),
    (("friches",), "curated-fonds-vert-recyclage-friches"),
    (("biodiversite",), "curated-fonds-vert-biodiversite"),
)
NOT_GIVEN = {"", "null", "n.c.", "n.c", "nc", "nd", "n.d.", "-", "na", "n/a"}
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_SIREN = re.compile(r"^\d{9}$")
CORSICA = {"20A": "94", "20": "94"}  # DGCL codes of the Collectivité de Corse → its région
_DEPARTMENT = re.compile(r"^(?:\d{1,3}|2[AB])$")
BATCH = 2000


class ImportRefused(ValueError):
    """The whole file cannot be read as that kind of list; ``message`` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowError(ValueError):
    pass


@dataclass
class RowProblem:
    line: int
    message: str

    def __str__(self):
        return f"ligne {self.line} : {self.message}"


@dataclass
class ImportReport:
    kind: str
    file_name: str
    year: int
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    without_commune: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return len(self.problems)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# -- values ----------------------------------------------------------------------------------
def parse_amount(text: str | None, what: str = "montant") -> float:
    """« 21 667,00 € », « 21667.00 », « 1.026.800,50 » → a number of euros; « n.c. » is an error."""
    value = (text or "").strip()
    if value.lower() in NOT_GIVEN:
        raise RowError(f"{what} non communiqué (« {value[:20]} »)" if value else f"{what} absent")
    compact = _SPACES.sub("", value.replace("€", "").replace("EUR", ""))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", compact):
        # Spreadsheet exports carry float noise (« 99977.22933 »): cents are kept.
        number = round(float(compact.replace(",", ".")), 2)
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,4})?", compact):
        number = float(compact.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,4})?", compact):
        number = float(compact.replace(",", ""))
    else:
        raise RowError(f"{what} illisible : « {value[:30]} »")
    if number <= 0:
        raise RowError(f"{what} nul ou négatif : « {value[:30]} »")
    return number


def optional_amount(text: str | None, what: str) -> float | None:
    """An amount that may be missing; « 0 » (what spreadsheets hold for « not known ») is missing."""
    if (text or "").strip().lower() in NOT_GIVEN or re.fullmatch(r"0+(?:[.,]0*)?", (text or "").strip()):
        return None
    return parse_amount(text, what)


def insee_code(raw: str) -> str:
    """An INSEE code with the leading zero the list dropped (« 1004 » → « 01004 »)."""
    code = raw.strip().upper()
    if code.isdigit() and len(code) == 4:
        code = "0" + code
    return code


def department_code(raw: str) -> str | None:
    code = (raw or "").strip().upper()
    if not code or not _DEPARTMENT.match(code):
        return None
    return code.zfill(2) if code.isdigit() and len(code) < 2 else code


@lru_cache(maxsize=1)
def curated_titles() -> dict[str, str]:
    from guichet.programmes.services import CURATED_DATA

    titles = {}
    with open(CURATED_DATA, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                titles[record["id"]] = record["title"]
    return titles


def fonds_vert_programme(measure: str) -> tuple[str, str, str | None]:
    """(programme key, label, curated programme id or None) of a Fonds vert measure."""
    words = set(re.findall(r"[a-z0-9]+", fold(measure)))
    for needed, programme_id in FONDS_VERT_PROGRAMMES:
        if all(word in words for word in needed):
            return programme_id, curated_titles().get(programme_id, f"Fonds vert — {measure.strip()}"), programme_id
    return f"fonds-vert-{slugify(measure)}", f"Fonds vert — {measure.strip()}", None


# -- the commune reference, for linking ------------------------------------------------------
class Places:
    """Current communes, old codes and EPCI of the store, loaded once per import."""

    def __init__(self, session):
        connection = session.connection()
        self.communes = {code: (department, region, epci)
                         for code, department, region, epci in connection.execute(
                             select(Commune.code, Commune.department, Commune.region, Commune.epci_code))}
        self.aliases = {}
        for code, commune_code in connection.execute(select(CommuneAlias.code, CommuneAlias.commune_code)
                                                     .order_by(CommuneAlias.id)):
            self.aliases.setdefault(code, commune_code)
        self.by_siren = {siren: code for code, siren in connection.execute(select(Commune.code, Commune.siren))
                         if siren}
        self.epcis = set(connection.scalars(select(Epci.code)))
        self.region_of_department = {department: region for department, region, _epci in self.communes.values()}

    def current(self, code: str) -> str | None:
        if code in self.communes:
            return code
        return self.aliases.get(code)


# -- reading a file --------------------------------------------------------------------------
def read_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("Le fichier n’est ni en UTF-8 ni en Windows-1252.")


def _header_map(kind: str, header: list[str]) -> dict[str, int]:
    folded = [re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_") for name in header]
    positions = {}
    for name, spellings in COLUMNS[kind].items():
        for spelling in spellings:
            if spelling in folded:
                positions[name] = folded.index(spelling)
                break
    missing = [COLUMNS[kind][name][0] for name in COLUMNS[kind] if name not in positions and name not in OPTIONAL[kind]]
    if missing:
        raise ImportRefused(f"Le fichier ne ressemble pas à une liste « {kind} » : colonne(s) {', '.join(missing)} "
                            "introuvable(s) dans la première ligne (vérifiez le type de liste et le séparateur).")
    return positions


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    return max(counts, key=counts.get)


def read_rows(kind: str, text: str):
    """(line number, row as {column: value}) for each data row; RowProblem for a row that
    does not fit the header."""
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("Le fichier est vide.") from None
    positions = _header_map(kind, header)
    width = len(header)
    line = reader.line_num + 1
    for values in reader:
        start, line = line, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue
        if len(values) != width:
            yield start, RowProblem(start, f"{len(values)} champ(s) au lieu de {width} : séparateur ou guillemets "
                                           f"incorrects (séparateur attendu « {delimiter} »)")
            continue
        yield start, {name: values[index].strip() for name, index in positions.items()}


def file_year(path: Path) -> int | None:
    found = re.findall(r"(?<!\d)(20\d{2})(?!\d)", path.name)
    return int(found[0]) if found else None


# -- turning a row into a project ------------------------------------------------------------
def fonds_vert_project(row: dict, places: Places, year: int) -> dict:
    title = row.get("title", "")
    measure = row.get("measure", "")
    if not title:
        raise RowError("nom du projet absent")
    if not measure:
        raise RowError("mesure (nom_demarche_ds) absente")
    amount = parse_amount(row.get("amount"), "montant engagé")
    digits = re.sub(r"\D", "", row.get("siren", ""))
    siren = digits[:9] if len(digits) in (9, 14) else None  # a SIRET starts with its SIREN
    year = row_year(row, year)
    raw_code = row.get("commune", "")
    department = department_code(row.get("department", ""))
    commune_code = epci_code = None
    level = "autre"
    if raw_code.lower() not in NOT_GIVEN:
        code = insee_code(raw_code)
        if not _INSEE.match(code):
            raise RowError(f"code commune invalide « {raw_code[:12]} »")
        commune_code = places.current(code)
        if commune_code is None:
            raise RowError(f"commune inconnue : aucun code INSEE « {code} » dans le référentiel")
    elif siren and siren in places.by_siren:
        commune_code = places.by_siren[siren]
    if siren and siren in places.epcis:
        epci_code, level = siren, "epci"
    elif siren and places.by_siren.get(siren) == commune_code and commune_code:
        level = "commune"
    if commune_code:
        department = places.communes[commune_code][0]
    programme_key, label, programme_id = fonds_vert_programme(measure)
    natural = "|".join((row.get("dossier", ""), siren or "", raw_code, title, f"{amount:.2f}"))
    return {
        "key": f"fonds-vert:{year}:{row.get('dossier', '') or '-'}:{_digest(natural)[:16]}",
        "kind": "fonds-vert", "year": year, "programme_key": programme_key, "programme_label": label,
        "programme_id": programme_id, "measure": measure, "category": None, "title": title,
        "beneficiary": row.get("beneficiary") or None, "siren": siren, "level": level,
        "commune_code": commune_code, "epci_code": epci_code, "department": department,
        "region": places.region_of_department.get(department),
        "territory_name": None if row.get("commune_name", "").lower() in NOT_GIVEN else row["commune_name"],
        "population": None, "amount": amount, "total_cost": None, "source_code": raw_code[:12] or None,
        "extra": {name: row[name] for name in ("dossier", "summary") if row.get(name)},
    }


def row_year(row: dict, year: int) -> int:
    """The row's own year (``exercice`` of the DGCL files) when it gives one."""
    given = row.get("year", "").strip()
    if not given:
        return year
    if not re.fullmatch(r"(?:19|20)\d{2}", given):
        raise RowError(f"année invalide « {given[:10]} »")
    return int(given)


def dotations_project(row: dict, places: Places, year: int) -> dict:
    given_grant = row.get("grant", "").strip()
    grant_match = _GRANT.match(given_grant.upper())
    if grant_match is None:
        raise RowError(f"dotation inconnue « {given_grant[:20]} » (DETR, DSIL, DSID ou DPV attendue)")
    grant = grant_match.group(1)
    year = row_year(row, year)
    amount = parse_amount(row.get("amount"), "montant de la subvention")
    total_cost = optional_amount(row.get("total_cost"), "coût total")
    raw_code = row.get("territory", "").strip().upper()
    siren = re.sub(r"\D", "", row.get("siren", ""))[:9] or None
    if siren is None and _SIREN.match(raw_code):
        siren = raw_code
    level_given = fold(row.get("level", "")).strip()
    commune_code = epci_code = region = None
    department = department_code(row.get("department", ""))
    if level_given in ("epci", "groupement") or (_SIREN.match(raw_code) and level_given != "commune"):
        if not siren or not _SIREN.match(siren):
            raise RowError(f"SIREN d’EPCI invalide « {(siren or raw_code)[:12]} »")
        level = "epci"
        # An EPCI of that year that has since merged keeps its project, at the département level.
        epci_code = siren if siren in places.epcis else None
    elif level_given in ("conseil_departemental", "departement", "conseil departemental"):
        level = "departement"
        department = department_code(raw_code) or department
        if raw_code in CORSICA:  # the Collectivité de Corse: a région, no département
            department, region = None, CORSICA[raw_code]
    else:
        # A commune, or another local body (syndicat, PETR …) located in one.
        level = "commune" if level_given in ("", "commune") else "autre"
        code = insee_code(raw_code)
        if not _INSEE.match(code):
            raise RowError(f"code commune invalide « {raw_code[:12]} »")
        commune_code = places.current(code)
        if commune_code is None:
            raise RowError(f"commune inconnue : aucun code INSEE « {code} » dans le référentiel")
        department = places.communes[commune_code][0]
    if department is None and region is None:
        raise RowError(f"département invalide « {row.get('department', '')[:5]} »")
    region = region or places.region_of_department.get(department)
    category = DGCL_CATEGORIES.get(row.get("category", "").strip(), row.get("category") or None)
    # A few projects were published without a description: the category stands for it.
    title = row.get("title", "") or (f"Projet sans description publiée ({category.lower()})" if category else "")
    if not title:
        raise RowError("description du projet absente")
    programme_id, label = GRANTS[grant]
    label = curated_titles().get(programme_id, label) if programme_id else label
    population = row.get("population", "").replace(" ", "")
    natural = row.get("id") or "|".join((raw_code, siren or "", given_grant, title, f"{amount:.2f}"))
    return {
        "key": f"dotations:{year}:{row['id'] if row.get('id') else _digest(natural)[:16]}",
        "kind": "dotations", "year": year, "programme_key": programme_id or grant.lower(),
        "programme_label": label, "programme_id": programme_id, "measure": given_grant,
        "category": category, "title": title, "beneficiary": row.get("territory_name") or None,
        "siren": siren, "level": level, "commune_code": commune_code,
        "epci_code": epci_code, "department": department, "region": region,
        "territory_name": row.get("territory_name") or None,
        "population": int(population) if population.isdigit() else None, "amount": amount, "total_cost": total_cost,
        "source_code": raw_code[:12] or None, "extra": {},
    }


BUILDERS = {"fonds-vert": fonds_vert_project, "dotations": dotations_project}
HASHED = ("programme_key", "programme_label", "programme_id", "measure", "category", "title", "beneficiary", "siren",
          "level", "commune_code", "epci_code", "department", "region", "territory_name", "population", "amount",
          "total_cost", "source_code")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _content_hash(project: dict) -> str:
    return _digest(repr(tuple(project[name] for name in HASHED)))


# -- the import ------------------------------------------------------------------------------
def parse_file(session, kind: str, data: bytes, year: int, file_name: str = "") -> tuple[ImportReport, list[dict]]:
    """Every project of the file (checked and linked), and the report of the rows left out."""
    if kind not in KINDS:
        raise ImportRefused(f"Type de liste inconnu « {kind} » : fonds-vert ou dotations.")
    places = Places(session)
    if not places.communes:
        raise ImportRefused("Le référentiel des communes n’est pas chargé : lancez d’abord « guichet init » "
                            "ou « guichet communes refresh ».")
    report = ImportReport(kind=kind, file_name=file_name, year=year)
    build = BUILDERS[kind]
    projects, seen = [], {}
    for line, row in read_rows(kind, read_text(data)):
        report.rows += 1
        if isinstance(row, RowProblem):
            report.problems.append(row)
            continue
        try:
            project = build(row, places, year)
        except RowError as error:
            report.problems.append(RowProblem(line, str(error)))
            continue
        if project["key"] in seen:
            report.problems.append(RowProblem(line, f"doublon de la ligne {seen[project['key']]}"))
            continue
        seen[project["key"]] = line
        project["source_line"] = line
        project["content_hash"] = _content_hash(project)
        if project["commune_code"] is None and project["epci_code"] is None:
            report.without_commune += 1
        projects.append(project)
    return report, projects


def import_file(session, kind: str, path: Path, year: int | None = None) -> ImportReport:
    """Import one list; the caller commits (one transaction). Nothing changes when the same
    projects are already in the store."""
    started = time.perf_counter()
    path = Path(path)
    data = path.read_bytes()
    year = year or file_year(path)
    if year is None:
        raise ImportRefused(f"L’année des projets ne figure pas dans le nom du fichier « {path.name} » : "
                            "indiquez-la avec --year.")
    report, projects = parse_file(session, kind, data, year, path.name)
    connection = session.connection()
    # Rows may carry their own year (the DGCL's « exercice »): every project of the kind is compared.
    existing = dict(connection.execute(select(FundedProject.key, FundedProject.content_hash)
                                       .where(FundedProject.kind == kind)).all())
    new_rows, changed_rows = [], []
    for project in projects:
        known = existing.get(project["key"])
        if known is None:
            new_rows.append(project)
        elif known != project["content_hash"]:
            changed_rows.append(project)
        else:
            report.unchanged += 1
    report.added, report.updated = len(new_rows), len(changed_rows)
    if report.changed:
        import_id = connection.execute(insert(ProjectImport).values(
            kind=kind, file_name=path.name, file_sha256=hashlib.sha256(data).hexdigest(), year=year,
            rows=report.rows, added=report.added, updated=report.updated, errors=report.errors)).inserted_primary_key[0]
        for start in range(0, len(new_rows), BATCH):
            connection.execute(insert(FundedProject), [{**row, "import_id": import_id}
                                                       for row in new_rows[start:start + BATCH]])
        for row in changed_rows:
            connection.execute(update(FundedProject).where(FundedProject.key == row["key"])
                               .values(**{**row, "import_id": import_id}))
    report.seconds = time.perf_counter() - started
    return report


def imported_already(session, data: bytes) -> bool:
    """Whether a file with these exact bytes was imported already (``guichet init``'s fast path)."""
    digest = hashlib.sha256(data).hexdigest()
    return session.scalar(select(ProjectImport.id).where(ProjectImport.file_sha256 == digest).limit(1)) is not None
