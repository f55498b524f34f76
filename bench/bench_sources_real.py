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
    "collectivite ou etablissement public": ["commune", "epci", "departement", "region", "etablissement_public"],
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


def expected_aides_territoires(raw: dict) -> dict | None:
    if raw.get("is_live") is False:
        return None  # must be skipped
    level, regions, departments, specific = expected_perimeter(raw)
    audiences = []
    for label in raw.get("targeted_audiences") or []:
        audiences += AUDIENCES.get(fold(label), [f"?{label}"])
    aid_types = []
    for item in raw.get("aid_types_full") or raw.get("aid_types") or []:
        label = item.get("name") if isinstance(item, dict) else item
        aid_types.append(AID_TYPES.get(fold(label), f"?{label}"))
    deadline = raw.get("submission_deadline")
    url = raw.get("url")
    expected = {
        "title": " ".join(str(raw.get("name") or "").split()),
        "funders": [str(name.get("name") if isinstance(name, dict) else name)
                    for name in (raw.get("financers_full") or raw.get("financers") or [])],
        "level": level, "regions": regions, "departments": departments,
        "beneficiaries": sorted(set(audiences)), "aid_types": sorted(set(aid_types)),
        "opens_on": raw.get("start_date") or None, "deadlines": [deadline] if deadline else [],
        "recurrence": RECURRENCES.get(fold(raw.get("recurrence"))),
        "source_url": f"https://aides-territoires.beta.gouv.fr{url}" if url else None,
        "is_call_for_projects": bool(raw.get("is_call_for_project")),
        "themes": "nonempty" if raw.get("categories") else None,
        "programs": [str(name) for name in raw.get("programs") or []],
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


def expected_generic(raw: dict, title_key: str) -> dict:
    return {"title": " ".join(str(raw.get(title_key) or "").split())}


# -- the payloads ----------------------------------------------------------------------------

def at_page(data):
    return data if isinstance(data, dict) else {"count": len(data), "next": None, "previous": None, "results": data}


CASES = [
    # (payload file, source slug, wrap the body, raw records, grader, graded keys, bookkeeping keys)
    ("aides-territoires-api-v1-2021-11-results-real.json", "aides-territoires", at_page, None,
     expected_aides_territoires, AT_GRADED, AT_BOOKKEEPING),
    ("aides-territoires-api-v1-2022-05-results-real.json", "aides-territoires", at_page, None,
     expected_aides_territoires, AT_GRADED, AT_BOOKKEEPING),
    ("aides-territoires-api-2024-records-real.json", "aides-territoires", at_page, None,
     expected_aides_territoires, AT_GRADED, AT_BOOKKEEPING),
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
            text = record_text(record)
            if any(plain(name) not in text for name in want):
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
            if words and words[:60] not in text:
                lost.append(key)
                break
    return lost


def run_case(case, details: bool) -> dict:
    from scrapers.base import Harvest
    from scrapers.http import Fetched
    from scrapers.registry import get_source

    file_name, slug, wrap, _raw_of, expected_of, graded, bookkeeping = case
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
    for raw in raws:
        expected = expected_of(raw)
        outcome = by_id.get(str(raw.get("id") if isinstance(raw, dict) else ""))
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
    if total_records:
        print(f"\nAll payloads: {total_right} / {total_records} records fully right "
              f"({100 * total_right / total_records:.0f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
