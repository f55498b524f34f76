"""The judged corpus: real aids of ../shared/reference converted to Guichet records.

The reference files stay where they are (they are never copied into the repository): the
benchmark reads them at run time and writes JSON Lines into a temporary folder, which
``guichet import`` then loads like any other import. Judgments reference the aids by the ids
given here.

- ``corpus/aides-territoires-periurbain-274.csv``: 274 aids exported from Aides-territoires
  (name, link, funders, beneficiaries, aid types, description, closing date);
- ``sources/aides-territoires-api-*-real.json``: records of the Aides-territoires API
  (field names as in MTES-MCT/aides-territoires, ``src/aids/api/serializers.py``);
- ``sources/eu-funding-tenders-search-response.json``: EU Funding & Tenders topics (English).

An aid present in several files keeps the newest API record. Ids: ``aides-territoires-<slug>``
(the slug is the last segment of the aid's URL, the same in the CSV and in the API) and
``eu-funding-tenders-<identifier>``.
"""

import ast
import csv
import json
import os
from pathlib import Path

REFERENCE = Path(os.environ.get("GUICHET_REFERENCE", Path(__file__).resolve().parents[3] / "shared" / "reference"))
if not REFERENCE.exists():
    REFERENCE = Path("/work/shared/reference")
CSV_FILE = REFERENCE / "corpus" / "aides-territoires-periurbain-274.csv"
API_FILES = ("aides-territoires-api-v1-2021-11-results-real.json",
             "aides-territoires-api-v1-2022-05-results-real.json",
             "aides-territoires-api-2024-records-real.json")
EU_FILE = REFERENCE / "sources" / "eu-funding-tenders-search-response.json"

_AUDIENCES = {"commune": "commune", "epci": "epci", "intercommunalit": "epci", "départements": "departement",
              "département": "departement", "région": "region", "association": "association",
              "entreprise": "entreprise", "particulier": "particulier", "agriculteur": "agriculteur"}


def _list(value) -> list[str]:
    """The API serialises lists as Python literals inside strings (``"['a', 'b']"``)."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if not value or value == "None":
        return []
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return [part.strip() for part in str(value).split(";") if part.strip()]
    return [str(item) for item in parsed] if isinstance(parsed, (list, tuple)) else [str(parsed)]


def _beneficiaries(audiences: list[str]) -> list[str]:
    found = []
    for audience in audiences:
        lowered = audience.lower()
        for prefix, slug in _AUDIENCES.items():
            if prefix in lowered and slug not in found:
                found.append(slug)
    return found


def _date(value) -> list[str]:
    return [value[:10]] if value and value != "None" and value[:4].isdigit() else []


def csv_records() -> list[dict]:
    records = []
    with CSV_FILE.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            slug = row["Lien"].rstrip("/").rsplit("/", 1)[-1]
            closing = row.get("Date Clôture") or ""
            records.append({
                "id": f"aides-territoires-{slug}", "source": "aides-territoires", "source_id": slug,
                "source_url": row["Lien"], "title": row["Nom"], "summary": "",
                "description_html": f"<p>{row['Descriptif']}</p>" if row["Descriptif"] else "",
                "funders": [part.strip() for part in row["Financeurs"].split(";") if part.strip()],
                "level": "national", "beneficiaries": _beneficiaries(row["Bénéficiaire"].split(";")),
                "is_call_for_projects": bool(row.get("AAP/AMI")),
                "deadlines": _date("-".join(reversed(closing.split("/"))) if "/" in closing else closing),
                "recurrence": "permanente" if row.get("Récurrence") == "Permanente" else "ponctuelle",
            })
    return records


def api_records() -> list[dict]:
    records = {}
    for name in API_FILES:
        for aid in json.loads((REFERENCE / "sources" / name).read_text(encoding="utf-8")):
            records[aid["slug"]] = {
                "id": f"aides-territoires-{aid['slug']}", "source": "aides-territoires", "source_id": aid["slug"],
                "source_url": "https://aides-territoires.beta.gouv.fr" + aid["url"], "title": aid["name"],
                "summary": "", "description_html": aid.get("description") or "",
                "funders": _list(aid.get("financers")), "level": "national",
                "beneficiaries": _beneficiaries(_list(aid.get("targeted_audiences"))),
                "is_call_for_projects": aid.get("is_call_for_project") == "True",
                "deadlines": _date(aid.get("submission_deadline")),
                "recurrence": {"Permanente": "permanente", "Récurrente": "recurrente"}.get(aid.get("recurrence"),
                                                                                           "ponctuelle"),
            }
    return list(records.values())


def eu_records() -> list[dict]:
    payload = json.loads(EU_FILE.read_text(encoding="utf-8"))
    records = {}
    for result in payload["results"]:
        metadata = result["metadata"]
        identifier = (metadata.get("identifier") or [result["reference"]])[0]
        records[identifier] = {
            "id": f"eu-funding-tenders-{identifier.lower()}", "source": "eu-funding-tenders",
            "source_id": identifier, "source_url": result.get("url") or "",
            "title": metadata["title"][0], "summary": "",
            "description_html": (metadata.get("descriptionByte") or [""])[0],
            "funders": ["Commission européenne"], "level": "europe", "beneficiaries": [],
            "deadlines": [value[:10] for value in metadata.get("deadlineDate") or []],
            "recurrence": "ponctuelle",
            # the language the portal states, as scrapers/sources/eu_funding_tenders.py keeps it
            "language": (metadata.get("language") or [result.get("language") or ""])[0] or None,
        }
    return list(records.values())


def records() -> list[dict]:
    by_id = {record["id"]: record for record in csv_records()}
    by_id.update({record["id"]: record for record in api_records()})
    by_id.update({record["id"]: record for record in eu_records()})
    return list(by_id.values())


def write_jsonl(path: Path) -> int:
    rows = records()
    with path.open("w", encoding="utf-8") as out:
        for record in rows:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(rows)
