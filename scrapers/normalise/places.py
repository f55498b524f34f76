"""Funders' spellings and places: region and département names (or codes) → INSEE codes, a
perimeter's scale → the programme's level. Funders live here because their spelling is
mostly a place name (« Conseil régional d'Occitanie » → « Région Occitanie »)."""

from __future__ import annotations

import html as html_module
import re

from guichet.geo import DEPARTMENTS, REGIONS
from scrapers.normalise.words import _key

FUNDERS = {
    "etat": "État", "l'etat": "État", "etat francais": "État", "gouvernement": "État", "prefecture": "État",
    "ademe": "ADEME", "agence de la transition ecologique": "ADEME",
    "agence de l'environnement et de la maitrise de l'energie": "ADEME", "ademe agence de la transition ecologique": "ADEME",
    "anct": "ANCT", "agence nationale de la cohesion des territoires": "ANCT",
    "banque des territoires": "Banque des Territoires", "caisse des depots": "Banque des Territoires",
    "caisse des depots et consignations": "Banque des Territoires", "bpifrance": "Bpifrance", "bpi france": "Bpifrance",
    "ministere de la culture": "Ministère de la Culture", "ministere de la culture et de la communication": "Ministère de la Culture",
    "union europeenne": "Union européenne", "commission europeenne": "Union européenne",
    "european commission": "Union européenne", "ue": "Union européenne", "european union": "Union européenne",
    "anah": "Anah", "agence nationale de l'habitat": "Anah", "cerema": "Cerema",
    "agence nationale du sport": "Agence nationale du Sport", "ans": "Agence nationale du Sport",
    "action logement": "Action Logement", "ofb": "Office français de la biodiversité",
    "office francais de la biodiversite": "Office français de la biodiversité",
}
_REGION_BY_KEY = {}
_DEPARTMENT_BY_KEY = {}




def _place_tables():
    if not _REGION_BY_KEY:
        for code, name in REGIONS.items():
            _REGION_BY_KEY[_key(name)] = code
        for code, (name, _region) in DEPARTMENTS.items():
            _DEPARTMENT_BY_KEY[_key(name)] = code
        _REGION_BY_KEY.update({"ile de france": "11", "idf": "11", "paca": "93", "sud": "93",
                               "region sud": "93", "reunion": "04"})


_ARTICLE = r"(?:de la |de l'|du |des |de |d')?"


def normalise_funder(name: str | None) -> str | None:
    """One spelling per funder: "ADEME - Agence de la transition écologique" → "ADEME",
    "Conseil régional d'Île-de-France" → "Région Île-de-France", "Conseil Départemental de la
    Drôme" → "Département de la Drôme"."""
    if not name or not str(name).strip():
        return None
    name = " ".join(str(html_module.unescape(name)).split())
    key = _key(name)
    if key in FUNDERS:
        return FUNDERS[key]
    for variant, spelling in FUNDERS.items():
        if key.startswith(variant + " ") and len(variant) > 3:
            return spelling
    _place_tables()
    match = re.match(r"^(?:conseil regional|region|collectivite)\s+" + _ARTICLE + r"(.+)$", key)
    if match and match.group(1) in _REGION_BY_KEY:
        return f"Région {REGIONS[_REGION_BY_KEY[match.group(1)]]}"
    match = re.match(r"^(?:conseil departemental|conseil general|departement)\s+(" + _ARTICLE + r")(.+)$", key)
    if match and match.group(2) in _DEPARTMENT_BY_KEY:
        # The source's own article is kept ("de la Drôme", "du Nord", "de l'Ain"): names decide it.
        article = match.group(1).strip()
        article = f"{article}" if article.endswith("'") else (f"{article} " if article else "")
        return f"Département {article}{DEPARTMENTS[_DEPARTMENT_BY_KEY[match.group(2)]][0]}"
    return name


def places(names) -> tuple[list[str], list[str]]:
    """Region and département names (or INSEE codes) → (region codes, department codes).
    "France entière", "National", "Europe" restrict nothing."""
    _place_tables()
    regions, departments = [], []
    for raw in names or []:
        if raw is None:
            continue
        value = str(raw).strip()
        key = _key(value).removeprefix("region ").removeprefix("departement ")
        key = re.sub(r"^(?:de la|de l'|du|des|de) ", "", key)
        if value.upper() in DEPARTMENTS and not value.isalpha():
            departments.append(value.upper())
            continue
        if key in _DEPARTMENT_BY_KEY:
            code = _DEPARTMENT_BY_KEY[key]
            departments.append(code)
            if key in _REGION_BY_KEY:  # single-département overseas regions (Mayotte, Guyane ...)
                regions.append(_REGION_BY_KEY[key])
        elif key in _REGION_BY_KEY:
            regions.append(_REGION_BY_KEY[key])
    return list(dict.fromkeys(regions)), list(dict.fromkeys(departments))


# -- level -----------------------------------------------------------------------------------

_LEVEL_BY_SCALE = {
    "continent": "europe", "europe": "europe", "union europeenne": "europe",
    "pays": "national", "france": "national", "national": "national", "nationale": "national",
    "region": "regional", "regional": "regional", "departement": "departmental", "departemental": "departmental",
    "commune": "local", "epci": "local", "intercommunalite": "local", "adhoc": "local", "bassin hydrographique": "regional",
}


_LEVEL_BY_SCALE = {_key(word): value for word, value in _LEVEL_BY_SCALE.items()}


def level_from_scale(value, default: str) -> str:
    return _LEVEL_BY_SCALE.get(_key(str(value or "")), default)


# -- perimeters (Aides-territoires and the catalogues built on it) ---------------------------
#
# Evidence: MTES-MCT/aides-territoires, src/geofr/models.py (Perimeter.SCALES_TUPLE and
# Perimeter.__str__): the scales are Commune, EPCI, Bassin hydrographique, Département, Région,
# Outre-mer, Métropole, Ad-hoc, Pays, Continent; the older API prints a perimeter as
# « Nom (Échelle) » up to the region scale and as the bare name above it (« France »,
# « Europe », « Outre-mer », « France métropolitaine ») and for ad-hoc perimeters
# (« PETR du Pays Lauragais »). The current API gives ``perimeter_scale`` beside the name.

SCALE_LEVELS = {"commune": "local", "epci": "local", "bassin hydrographique": "regional",
                "departement": "departmental", "region": "regional", "outre mer": "national",
                "metropole": "national", "ad hoc": "local", "adhoc": "local", "pays": "national",
                "continent": "europe"}
OVERSEAS_REGIONS = ["01", "02", "03", "04", "06"]
_WHOLE_COUNTRY = {"france": ("national", []), "pays": ("national", []), "national": ("national", []),
                  "france entiere": ("national", []), "europe": ("europe", []), "union europeenne": ("europe", []),
                  "outre mer": ("national", OVERSEAS_REGIONS), "drom": ("national", OVERSEAS_REGIONS),
                  "france metropolitaine": ("national", None), "metropole": ("national", None)}
# An ad-hoc perimeter that names a kind of place found all over France (« Communes
# littorales », « Ensemble des massifs français », « Action cœur de ville ») is a national
# programme for those places, not a local one.
_NATIONWIDE = re.compile(r"^(communes|territoires|ensemble|reseau|action coeur|quartiers|villes)\b")
EPCI_FILE = ("node_modules", "@etalab", "decoupage-administratif", "data", "epci.json")


class Perimeter:
    """Where a programme applies: its level, the region and département codes that restrict it,
    and ``specific``, a named territory that no code says exactly (kept as text, shown)."""

    def __init__(self, level: str, regions=(), departments=(), specific: str | None = None):
        self.level, self.regions, self.departments, self.specific = level, list(regions), list(departments), specific

    def __repr__(self):
        return f"Perimeter({self.level!r}, {self.regions!r}, {self.departments!r}, {self.specific!r})"


def _metropolitan_regions() -> list[str]:
    return [code for code in REGIONS if code not in OVERSEAS_REGIONS]


_EPCI_DEPARTMENTS: dict | None = None


def epci_departments(name: str) -> list[str]:
    """The départements of an EPCI's member communes, from the commune reference
    (``@etalab/decoupage-administratif``, the file ``guichet.communes`` loads); [] if unknown."""
    global _EPCI_DEPARTMENTS
    if _EPCI_DEPARTMENTS is None:
        import json

        from guichet.config import ROOT

        _EPCI_DEPARTMENTS = {}
        path = ROOT.joinpath(*EPCI_FILE)
        if path.is_file():
            for epci in json.loads(path.read_text(encoding="utf-8")):
                codes = {member["code"][:3] if member["code"].startswith("97") else member["code"][:2]
                         for member in epci.get("membres") or []}
                _EPCI_DEPARTMENTS[_key(epci["nom"])] = sorted(codes)
    return list(_EPCI_DEPARTMENTS.get(_key(name), []))


_NAME_AND_SCALE = re.compile(r"^(?P<name>.+?)\s*\((?P<scale>[^()]+?)(?:\s*[–-]\s*[\d, ]+)?\)$")


def _region_name(name: str) -> bool:
    key = re.sub(r"^(?:region )?(?:de la |de l'|du |des |de )?", "", _key(name))
    return key in _REGION_BY_KEY


def read_perimeter(value, scale=None) -> Perimeter:
    """A perimeter as Aides-territoires gives it: a name and a scale (current API), « Nom
    (Échelle) » (older API), a list of names, or a comma-separated list of names."""
    if value is None or value == "" or value == []:
        return Perimeter("national")
    if isinstance(value, dict):
        scale = scale or value.get("scale")
        value = value.get("name") or ""
    if isinstance(value, (list, tuple)):
        regions, departments = places(value)
        return Perimeter("departmental" if departments and not regions else "regional" if regions else "national",
                         regions, departments)
    if not isinstance(value, str):
        raise ValueError(f"périmètre illisible : {type(value).__name__}")
    name = " ".join(value.split())
    scale_key = _key(str(scale or "")).replace("-", " ")
    match = _NAME_AND_SCALE.match(name)
    if match and _key(match["scale"]) in SCALE_LEVELS:
        name, scale_key = match["name"].strip(), _key(match["scale"])
    key = _key(name)
    _place_tables()
    if key in _WHOLE_COUNTRY and scale_key in ("", "pays", "continent", "outre mer", "metropole", "ad hoc"):
        level, regions = _WHOLE_COUNTRY[key]
        return Perimeter(level, _metropolitan_regions() if regions is None else regions)
    if scale_key in ("pays", "continent"):
        return Perimeter(SCALE_LEVELS[scale_key])
    if scale_key in ("outre mer", "metropole"):
        return Perimeter("national", OVERSEAS_REGIONS if scale_key == "outre mer" else _metropolitan_regions(),
                         specific=None if key in _WHOLE_COUNTRY else name)
    if scale_key in ("", "region", "departement"):
        regions, departments = places([part for part in name.split(",") if part.strip()])
        parts = [part for part in name.split(",") if part.strip()]
        if regions or departments:
            if not scale_key and len(parts) > 1 and all(_region_name(part) for part in parts):
                return Perimeter("regional", regions, [])  # a list of regions (Guyane is one too)
            if scale_key == "region" or (not scale_key and regions and not departments):
                return Perimeter("regional", regions, [])
            if scale_key == "departement" or (departments and not regions):
                return Perimeter("departmental", [], departments)
            if len(parts) == 1:  # single-département regions (Guyane ...): the scale decides
                return Perimeter("regional", regions, [])
            return Perimeter("regional", regions, departments)
        if key == "franche comte":  # the region before 2016: its four départements
            return Perimeter("regional", [], ["25", "39", "70", "90"])
    if scale_key == "epci":
        return Perimeter("local", [], epci_departments(name), name)
    if scale_key == "bassin hydrographique":
        return Perimeter("regional", [], [], f"bassin hydrographique {name}")
    if scale_key == "commune":
        return Perimeter("local", [], [], name)
    level = "national" if _NATIONWIDE.match(key) else "local"
    return Perimeter(level, [], [], name)
