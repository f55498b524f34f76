"""The scrapers on real captured data: every real payload of ``../shared/reference/sources/``
through the real parsers, each record graded field by field against what the raw record says.

    .venv/bin/python bench/bench_sources_real.py [--details] [--reference DIR]

For each payload it prints: records, parsed (a record came out, or the record was skipped on
purpose, e.g. ``is_live: false``), fully right (every graded field right), the count of each
kind of error (``level``, ``departments``, ``beneficiaries`` ...), and the raw values that the
mapping could not place anywhere in the record (no silent loss: a non-empty raw field that is
neither graded nor bookkeeping must show up, as text, somewhere in the record).

The expected values are read from the raw record with the bench's own tables below (audience
labels, aid types, recurrence, perimeter scales), written from the sources' public
documentation and the Aides-territoires code (``MTES-MCT/aides-territoires``,
``src/geofr/models.py`` for the perimeter scales and how a perimeter is printed, « Nom
(Échelle) » up to the region scale); they are deliberately not imported from ``scrapers/``.
The payloads are read in place and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE = Path(os.environ.get("GUICHET_REFERENCE_SOURCES", ROOT.parent.parent / "shared" / "reference" / "sources"))
if not REFERENCE.is_dir():
    REFERENCE = Path("/work/shared/reference/sources")

EPCI_FILE = ROOT / "node_modules" / "@etalab" / "decoupage-administratif" / "data" / "epci.json"


def fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "").replace("’", "'").replace("œ", "oe").replace("Œ", "oe")).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def plain(html) -> str:
    import html as html_module

    return fold(html_module.unescape(re.sub(r"<[^>]+>", " ", str(html or ""))))


# -- the bench's own tables ------------------------------------------------------------------

AUDIENCES = {  # Aides-territoires audience labels (2021 plural, 2022, 2024 singular) → ours
    "communes": ["commune"], "commune": ["commune"],
    "epci a fiscalite propre": ["epci"], "intercommunalites pays": ["epci"], "intercommunalite pays": ["epci"],
    "departements": ["departement"], "departement": ["departement"],
    "regions": ["region"], "region": ["region"],
    "associations": ["association"], "association": ["association"],
    "entreprises privees": ["entreprise"], "entreprise privee": ["entreprise"],
    "entreprises publiques locales sem spl semop": ["etablissement_public"],
    "entreprise publique locale sem spl semop": ["etablissement_public"],
    "etablissements publics ecoles bibliotheques services de l etat": ["etablissement_public"],
    "etablissements publics ecoles bibliotheques": ["etablissement_public"],
    "etablissement public dont services de l etat": ["etablissement_public"],
    "collectivites d outre mer a statuts particuliers": ["autre"],
    "collectivite d outre mer a statut particulier": ["autre"],
    "particuliers": ["particulier"], "particulier": ["particulier"],
    "agriculteurs": ["agriculteur"], "agriculteur": ["agriculteur"],
    "recherche": ["recherche"],
    # The Manche's label: « collectivité » read as the commune, as the Manche's own tests say.
    "collectivite ou etablissement public": ["commune", "etablissement_public"],
}
AID_TYPES = {
    "subvention": "subvention", "pret": "pret", "avance recuperable": "avance_remboursable",
    "ingenierie technique": "ingenierie", "ingenierie financiere": "ingenierie",
    "ingenierie juridique administrative": "ingenierie", "autre aide financiere": "autre",
    "certificat d economie d energie cee": "autre",
}
RECURRENCES = {"ponctuelle": "ponctuelle", "recurrente": "recurrente", "permanente": "permanente"}
# Aides-territoires perimeter scales (src/geofr/models.py, Perimeter.SCALES_TUPLE) → our level.
SCALE_LEVELS = {"commune": "local", "epci": "local", "bassin hydrographique": "regional",
                "departement": "departmental", "region": "regional", "outre mer": "national",
                "metropole": "national", "ad hoc": "local", "pays": "national", "continent": "europe"}
OVERSEAS = ["01", "02", "03", "04", "06"]
METROPOLITAN = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
NATIONAL_NAMES = {"france": "national", "france metropolitaine": "national", "outre mer": "national",
                  "europe": "europe"}


def _geo():
    from guichet.geo import DEPARTMENTS, REGIONS

    regions = {fold(name): code for code, name in REGIONS.items()}
    regions.update({"reunion": "04"})
    departments = {fold(name): code for code, (name, _region) in DEPARTMENTS.items()}
    departments.update({"reunion": "974", "lozere": "48"})
    return regions, departments, DEPARTMENTS


_EPCI = None


def epci_departments(name: str) -> list[str] | None:
    global _EPCI
    if _EPCI is None:
        _EPCI = {}
        if EPCI_FILE.is_file():
            for epci in json.loads(EPCI_FILE.read_text(encoding="utf-8")):
                codes = sorted({member["code"][:3] if member["code"].startswith("97") else member["code"][:2]
                                for member in epci.get("membres", [])})
                _EPCI[fold(epci["nom"])] = codes
    return _EPCI.get(fold(name))


def expected_perimeter(raw: dict):
    """(level, regions, departments, specific) as the raw record says; ``specific``: a named
    territory that no region/department code describes (it must be shown as text)."""
    regions_by_name, departments_by_name, _ = _geo()
    perimeter = str(raw.get("perimeter") or "").strip()
    scale = fold(raw.get("perimeter_scale") or "")
    match = re.match(r"^(.*)\s\(([^()]+)\)$", perimeter)
    name = perimeter
    if match and fold(match.group(2)) in SCALE_LEVELS:
        name, scale = match.group(1).strip(), fold(match.group(2))
    key = fold(name)
    if not scale:
        if key in NATIONAL_NAMES:
            regions = {"outre mer": OVERSEAS, "france metropolitaine": METROPOLITAN}.get(key, [])
            return NATIONAL_NAMES[key], regions, [], None
        parts = [fold(part) for part in name.split(",")]
        if parts and all(part in regions_by_name for part in parts):
            codes = sorted(regions_by_name[part] for part in parts)
            return "regional", codes, [], None
        if parts and all(part in departments_by_name for part in parts):
            return "departmental", [], sorted(departments_by_name[part] for part in parts), None
        if key == "franche comte":  # the region before 2016
            return "regional", [], ["25", "39", "70", "90"], None
        scale = "ad hoc"
    if scale in ("pays", "continent"):
        return SCALE_LEVELS[scale], [], [], None
    if scale in ("metropole", "outre mer"):
        return "national", OVERSEAS if scale == "outre mer" else METROPOLITAN, [], None
    if scale == "region" and key in regions_by_name:
        code = regions_by_name[key]
        return "regional", [code], [], None
    if scale == "departement" and key in departments_by_name:
        return "departmental", [], [departments_by_name[key]], None
    if scale == "epci":
        departments = epci_departments(name)
        if departments:
            return "local", [], departments, name
    if scale == "ad hoc" and re.match(r"^(communes|territoires|ensemble|reseau|action coeur)", key):
        return "national", [], [], name  # a nationwide list of places, named
    return SCALE_LEVELS.get(scale, "local"), [], [], name


def _as_list(value) -> list:
    return [] if value in (None, "") else [value] if isinstance(value, (str, dict)) else list(value)


def expected_aides_territoires(raw: dict) -> dict | None:
    if raw.get("is_live") is False:
        return None  # must be skipped
    level, regions, departments, specific = expected_perimeter(raw)
    audiences = []
    for label in _as_list(raw.get("targeted_audiences")):
        audiences += AUDIENCES.get(fold(label), [f"?{label}"])
    aid_types = []
    for item in _as_list(raw.get("aid_types_full") or raw.get("aid_types")):
        label = item.get("name") if isinstance(item, dict) else item
        aid_types.append(AID_TYPES.get(fold(label), f"?{label}"))
    deadline = raw.get("submission_deadline")
    url = raw.get("url")
    expected = {
        "title": " ".join(str(raw.get("name") or "").split()),
        "funders": [str(name.get("name") if isinstance(name, dict) else name)
                    for name in _as_list(raw.get("financers_full") or raw.get("financers"))],
        "level": level, "regions": regions, "departments": departments,
        "beneficiaries": sorted(set(audiences)), "aid_types": sorted(set(aid_types)),
        "opens_on": raw.get("start_date") or None, "deadlines": [deadline] if deadline else [],
        "recurrence": RECURRENCES.get(fold(raw.get("recurrence"))),
        "source_url": f"https://aides-territoires.beta.gouv.fr{url}" if url else None,
        "is_call_for_projects": bool(raw.get("is_call_for_project")),
        "themes": "nonempty" if raw.get("categories") else None,
        "programs": [str(name) for name in _as_list(raw.get("programs"))],
    }
    if specific:
        expected["specific"] = specific
    return expected


AT_GRADED = {"name", "financers", "financers_full", "perimeter", "perimeter_scale", "targeted_audiences",
             "aid_types", "aid_types_full", "start_date", "submission_deadline", "recurrence", "url",
             "is_call_for_project", "categories", "programs"}
AT_BOOKKEEPING = {"id", "slug", "date_created", "date_updated", "import_data_url", "import_data_mention",
                  "import_share_licence", "instructors_full", "project_references", "is_live", "author",
                  "status", "date_published", "is_imported", "import_uniqueid", "in_france_relance",
                  "perimeter_suggestion", "name_initial", "short_title", "origin_url", "application_url",
                  "subvention_rate_lower_bound", "subvention_rate_upper_bound", "subvention_rate",
                  "predeposit_date", "loan_amount", "recoverable_advance_amount", "is_charged"}


def _title(value) -> str:
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", str(value or ""))).split())


def _paris_date(value):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if not value:
        return None
    text = re.sub(r"(?<=\d):\s+(?=\d)", ":", str(value)).replace("Z", "+00:00")
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    moment = datetime.fromisoformat(text)
    return (moment.astimezone(ZoneInfo("Europe/Paris")) if moment.tzinfo else moment).date().isoformat()


def _audiences(labels, table=None) -> list[str]:
    found = []
    for label in labels:
        key = fold(label)
        found += (table or {}).get(key) or AUDIENCES.get(key) or [f"?{label}"]
    return sorted(set(found))


# ADEME's codes as ADEME labels them (MTES-MCT/aides-territoires,
# src/dataproviders/data/ademe_agir_audiences_mapping.csv).
ADEME_AUDIENCES = {"SCA1": ["association"], "SCA2": ["commune", "epci", "departement", "region", "etablissement_public"],
                   "SCA3": ["entreprise"], "SCA4": ["recherche"]}


def expected_ademe(raw: dict) -> dict:
    coverage = str((raw.get("couverture_geo") or {}).get("code") or "")
    return {
        "title": _title(raw.get("titre")),
        "level": {"1": "national", "2": "europe", "3": "europe"}.get(coverage, "regional"),
        "beneficiaries": sorted({value for code in raw.get("cible_projet") or [] for value in ADEME_AUDIENCES[code]}),
        "opens_on": _paris_date(raw.get("date_debut")),
        "deadlines": [_paris_date(raw.get("date_fin"))] if raw.get("date_fin") else [],
        "is_call_for_projects": raw.get("type") in ("AAP", "AMI"),
        "source_url": re.sub(r"^(https?):\s*//", r"\1://", str(raw.get("url_agir") or "").strip()) or None,
        "themes": "nonempty" if raw.get("thematiques") else None,
    }


def expected_drome(raw: dict) -> dict:
    expected = expected_aides_territoires(dict(raw, url=None))
    expected.update({"source_url": raw.get("origin_url"), "title": _title(raw.get("name"))})
    return expected


MANCHE_AUDIENCES = {"particulier": ["particulier"], "association": ["association"],
                    "etablissements publics ecoles bibliotheques": ["etablissement_public"]}


def expected_manche(raw: dict) -> dict:
    return {
        "title": _title(raw.get("name")), "level": "departmental", "regions": [], "departments": ["50"],
        "beneficiaries": _audiences(raw.get("targeted_audiences") or [], MANCHE_AUDIENCES),
        "recurrence": RECURRENCES.get(fold(raw.get("recurrence"))),
        "source_url": raw.get("origin_url"),
        # Their « aid_types » hold the Manche's own programmes (« Contrat de territoire 2017-2021 »): shown as text.
        "programs": list(raw.get("aid_types") or []),
    }


def idf_slug(name: str) -> str:
    name = re.sub(r"(\d{2,4})[-.](\d{2})[-.](\d{2,4})", r"\1\2\3", name).replace("'", "").replace("’", "")
    name = name.replace("à", "")
    return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
                  ).strip("-")


def expected_ile_de_france(raw: dict) -> dict:
    name = _title(raw.get("libelle") or raw.get("title"))
    audiences = {"associations": ["association"], "collectivites institutions": ["commune", "epci", "departement"],
                 "entreprises": ["entreprise"], "particuliers": ["particulier"]}
    return {
        "title": name, "level": "regional", "regions": ["11"], "departments": [],
        "source_url": f"https://www.iledefrance.fr/aides-et-appels-a-projets/{idf_slug(name)}",
        "beneficiaries": _audiences([item.get("title") for item in raw.get("publicsBeneficiaire") or []], audiences),
        "opens_on": _paris_date(raw.get("dateOuvertureCampagne")),
        "deadlines": [_paris_date(raw["dateFinCampagne"])] if raw.get("dateFinCampagne") else [],
    }


CULTURE_AUDIENCES = {"ecoles d enseignement superieur culture": ["etablissement_public"]}


def expected_culture(raw: dict) -> dict:
    regions_by_name, _departments, _ = _geo()
    tags = [fold(tag) for tag in raw.get("eztag_region") or [] if "france entiere" not in fold(tag)]
    regions = sorted(regions_by_name[tag] for tag in tags if tag in regions_by_name)
    public = raw.get("public")
    labels = public if isinstance(public, list) else [part for part in re.split(r"\s*,\s*", public or "") if part]
    from scrapers.normalise import parse_date  # French dates (« 15 avril 2022 ») are the parser's own job

    deadline = parse_date(raw.get("deadline"))
    return {
        "title": _title(raw.get("title")), "level": "regional" if regions else "national", "regions": regions,
        "beneficiaries": _audiences(labels, CULTURE_AUDIENCES),
        "source_url": re.sub(r"^(https?):\s*//", r"\1://", str(raw.get("url") or "").strip()),
        "deadlines": [deadline.isoformat()] if deadline else [],
    }


def expected_eu(raw: dict) -> dict:
    metadata = raw.get("metadata") or {}
    identifier = (metadata.get("identifier") or [None])[0]
    return {
        "title": _title((metadata.get("title") or [raw.get("summary")])[0]), "level": "europe",
        "regions": [], "departments": [],
        "source_url": "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
                      f"topic-details/{identifier}",
        "opens_on": _paris_date((metadata.get("startDate") or [None])[0]),
        "deadlines": sorted({_paris_date(value) for value in metadata.get("deadlineDate") or []}),
    }


# -- the payloads ----------------------------------------------------------------------------

def at_page(data):
    return data if isinstance(data, dict) else {"count": len(data), "next": None, "previous": None, "results": data}


def eu_id(raw):
    return str(((raw.get("metadata") or {}).get("identifier") or [""])[0])


CASES = [
    # (payload file, source slug, wrap the body, raw records, grader, graded keys, bookkeeping keys)
    ("aides-territoires-api-v1-2021-11-results-real.json", "aides-territoires", at_page, None,
     expected_aides_territoires, AT_GRADED, AT_BOOKKEEPING),
    ("aides-territoires-api-v1-2022-05-results-real.json", "aides-territoires", at_page, None,
     expected_aides_territoires, AT_GRADED, AT_BOOKKEEPING),
    ("aides-territoires-api-2024-records-real.json", "aides-territoires", at_page, None,
     expected_aides_territoires, AT_GRADED, AT_BOOKKEEPING),
    ("aides-territoires-fixture-ademe_agir_data.json", "ademe-agir", lambda body: body, None, expected_ademe,
     {"titre", "couverture_geo", "regions", "cible_projet", "date_debut", "date_fin", "type", "url_agir",
      "thematiques"}, {"id", "date_derniere_modification", "millesime", "sous_type_aap"}),
    ("aides-territoires-fixture-departement_drome_data.json", "departement-drome", lambda body: body, None,
     expected_drome, AT_GRADED | {"origin_url"}, AT_BOOKKEEPING),
    ("aides-territoires-fixture-departement_manche_data.json", "departement-manche", lambda body: body, None,
     expected_manche, {"name", "targeted_audiences", "recurrence", "origin_url", "aid_types"},
     AT_BOOKKEEPING | {"categories", "contact_phone"}),
    ("aides-territoires-fixture-ile_de_france_data.json", "ile-de-france", lambda body: body, "reference",
     expected_ile_de_france, {"title", "libelle", "publicsBeneficiaire", "dateOuvertureCampagne", "dateFinCampagne",
                              "reference", "tags", "competences"},
     {"tenant", "id", "index", "kind", "statut", "documentsPublics", "date", "informationNonPubliee",
      "datePublicationSouhaitee", "AAP"}),
    ("aides-territoires-fixture-ministere_de_la_culture_data.json", "culture", lambda body: body, None,
     expected_culture, {"title", "eztag_region", "public", "url", "deadline", "eztag_theme", "type"},
     {"id", "creationDate", "modificationDate", "short_title", "eztag_cible", "link", "amount"}),
    ("eu-funding-tenders-search-response.json", "eu-funding-tenders", lambda body: body, eu_id, expected_eu,
     {"metadata", "url", "summary"}, {"apiVersion", "reference", "contentType", "language", "databaseLabel", "database",
                                     "weight", "groupById", "accessRestriction", "checksum"}),
]


def items_of(body):
    if isinstance(body, list):
        return body
    for key in ("results", "ListeDispositifs", "aides"):
        if isinstance(body.get(key), list):
            return body[key]
    return []


def record_text(record: dict) -> str:
    parts = []
    for value in record.values():
        if isinstance(value, (list, tuple)):
            parts += [str(item) for item in value]
        elif value is not None:
            parts.append(str(value))
    return plain(" ".join(parts))


def grade(expected: dict, record: dict) -> list[str]:
    from scrapers.normalise import normalise_funder

    errors = []
    for field, want in expected.items():
        if field == "funders":
            got = {fold(name) for name in record.get("funders") or []}
            wanted = {fold(normalise_funder(name) or name) for name in want}
            if not wanted <= got and not {fold(name) for name in want} <= got:
                errors.append("funders")
        elif field == "themes":
            if want == "nonempty" and not record.get("themes"):
                errors.append("themes")
        elif field == "programs":
            # a field of its own (aid_programmes), the EU flag of the newer names aside
            got = {fold(name) for name in record.get("aid_programmes") or []}
            if any(not any(fold(name).endswith(have) for have in got) for name in want):
                errors.append("programs")
        elif field == "specific":
            if plain(want) not in record_text(record):
                errors.append("specific territory not shown")
        elif field in ("regions", "departments", "beneficiaries", "aid_types", "deadlines"):
            if sorted(set(record.get(field) or [])) != sorted(set(want)):
                errors.append(field)
        elif field == "opens_on":
            got = record.get("opens_on")
            got = got.isoformat() if hasattr(got, "isoformat") else got
            if (got or None) != (str(want)[:10] if want else None):
                errors.append(field)
        elif (record.get(field) or None) != (want or None) and not (field == "is_call_for_projects"
                                                                    and bool(record.get(field)) == bool(want)):
            errors.append(field)
    return errors


# Filler that sources leave in fields (Île-de-France's migration): no content to place.
PLACEHOLDERS = {"a definir apres reprise", "a definr apres reprise", "champ non publie"}


def unplaced(raw: dict, record: dict, graded: set, bookkeeping: set) -> list[str]:
    text = record_text(record)
    lost = []
    for key, value in raw.items():
        if key in graded or key in bookkeeping or value in (None, "", [], {}, False):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, dict):
                item = item.get("name") or item.get("title") or ""
            words = plain(item)
            if words and words not in PLACEHOLDERS and words[:60] not in text:
                lost.append(key)
                break
    return lost


def run_case(case, details: bool) -> dict:
    from scrapers.base import Harvest
    from scrapers.http import Fetched
    from scrapers.registry import get_source

    file_name, slug, wrap, id_of, expected_of, graded, bookkeeping = case
    if id_of is None:
        id_of = "id"
    read_id = id_of if callable(id_of) else (lambda raw, key=id_of: str(raw.get(key) if isinstance(raw, dict) else ""))
    path = REFERENCE / file_name
    body = json.loads(path.read_text(encoding="utf-8"))
    raws = items_of(body)
    wrapped = wrap(body)
    response = Fetched(url="https://example.invalid/reference", status=200,
                       headers={"Content-Type": "application/json"},
                       content=json.dumps(wrapped, ensure_ascii=False).encode("utf-8"))
    source = get_source(slug)({})
    outcomes = list(Harvest(source, None, first_response=response, follow_pages=False))
    by_id = {outcome.entry.source_id: outcome for outcome in outcomes if outcome.entry is not None}
    stats = {"records": len(raws), "parsed": 0, "right": 0, "errors": Counter(), "lost": Counter(),
             "failed": Counter(), "examples": defaultdict(list)}
    graded_ids = set()
    for raw in raws:
        if read_id(raw) in graded_ids:  # the same record listed twice (EU topics): graded once
            stats["records"] -= 1
            continue
        graded_ids.add(read_id(raw))
        expected = expected_of(raw)
        outcome = by_id.get(read_id(raw))
        if expected is None:  # must be skipped on purpose
            if outcome is None or outcome.record is None and outcome.error is None:
                stats["parsed"] += 1
                stats["right"] += 1
            else:
                stats["errors"]["not skipped"] += 1
            continue
        if outcome is None or outcome.record is None:
            message = outcome.error.message if outcome is not None and outcome.error else "absent"
            stats["failed"][message[:80]] += 1
            continue
        stats["parsed"] += 1
        errors = grade(expected, outcome.record)
        lost = unplaced(raw, outcome.record, graded, bookkeeping)
        for error in errors:
            stats["errors"][error] += 1
            if len(stats["examples"][error]) < 3:
                got_field = {"specific territory not shown": "description_html"}.get(error, error)
                stats["examples"][error].append(
                    (raw.get("id"), str(expected.get(error, raw.get("perimeter")))[:90],
                     str(outcome.record.get(got_field))[:90]))
        for key in lost:
            stats["lost"][key] += 1
        if not errors and not lost:
            stats["right"] += 1
    return stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="examples of each kind of error")
    parser.add_argument("--reference", help="folder of the real payloads")
    parser.add_argument("--only", help="the payloads whose file name contains this")
    args = parser.parse_args(argv)
    global REFERENCE
    if args.reference:
        REFERENCE = Path(args.reference)
    if not REFERENCE.is_dir():
        print(f"dossier des données réelles introuvable : {REFERENCE}")
        return 2
    print(f"Real payloads: {REFERENCE}")
    total_records = total_right = 0
    for case in CASES:
        if args.only and args.only not in case[0]:
            continue
        if not (REFERENCE / case[0]).is_file():
            print(f"\n{case[0]}: missing, skipped")
            continue
        stats = run_case(case, args.details)
        total_records += stats["records"]
        total_right += stats["right"]
        share = 100 * stats["right"] / stats["records"] if stats["records"] else 0
        print(f"\n{case[0]} → {case[1]}")
        print(f"  records {stats['records']} · parsed {stats['parsed']} · fully right {stats['right']} ({share:.0f} %)")
        for message, count in stats["failed"].most_common():
            print(f"  failed: {count} × {message}")
        for error, count in stats["errors"].most_common():
            print(f"  wrong {error}: {count}")
            if args.details:
                for example in stats["examples"][error]:
                    print(f"      id {example[0]}: expected {example[1]!r} · got {example[2]!r}")
        for key, count in stats["lost"].most_common():
            print(f"  raw value not placed: {key} ({count} records)")
    known = {case[0] for case in CASES}
    for path in sorted(REFERENCE.glob("*.json")):
        if path.name not in known:
            print(f"\n{path.name}: no source module reads this payload (not graded)")
    if total_records:
        print(f"\nAll payloads: {total_right} / {total_records} records fully right "
              f"({100 * total_right / total_records:.0f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
