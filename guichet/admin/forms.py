"""The programme form: what a curator typed, parsed into record values, or French errors per field.

Nothing here touches the store: views re-render ``raw`` (exactly what was typed) next to
``errors``, and save ``values`` only when there is no error.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import nh3

from guichet import geo
from guichet.curation.diff import FIELD_LABELS
from guichet.programmes.records import CONTENT_FIELDS, apply_bands
from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, RECURRENCES, THEMES
from guichet.programmes.conditions import (InvalidCondition, InvalidCriterion, band_line, clean_conditions,
                                           clean_criteria, parse_band_lines)
from guichet.programmes.aid_programmes import InvalidAidProgramme, clean_aid_programmes
from guichet.web.formatting import date_fr, number_fr

CHECKBOX_LIST_FIELDS = ("beneficiaries", "territories", "criteria", "themes", "aid_types")
TERRITORY_FIELDS = ("regions", "departments")
_SEPARATORS = re.compile(r"[\s,;]+")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_AMOUNT = 10_000_000_000
MAX_POPULATION = 100_000_000


@dataclass
class ProgrammeForm:
    raw: dict
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _date_text(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def _number_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def raw_from_values(values: dict) -> dict:
    """What the form shows for stored values (a programme's fields or its source values)."""
    raw = {}
    for name in CONTENT_FIELDS:
        value = values.get(name)
        if name in CHECKBOX_LIST_FIELDS:
            raw[name] = list(value or [])
        elif name in ("funders", "aid_programmes"):
            raw[name] = "\n".join(value or [])
        elif name == "population_bands":
            raw[name] = "\n".join(band_line(band) for band in value or [])
        elif name in TERRITORY_FIELDS:
            raw[name] = list(value or [])
        elif name == "deadlines":
            raw[name] = "\n".join(_date_text(item) for item in value or [])
        elif name == "opens_on":
            raw[name] = _date_text(value)
        elif name == "is_call_for_projects":
            raw[name] = bool(value)
        elif name in ("population_min", "population_max", "rate_min", "rate_max", "amount_min", "amount_max"):
            raw[name] = _number_text(value)
        else:
            raw[name] = value or ""
    return raw


def raw_from_programme(programme) -> dict:
    return raw_from_values({name: getattr(programme, name) for name in CONTENT_FIELDS})


def raw_from_request(formdata) -> dict:
    raw = {}
    for name in CONTENT_FIELDS:
        if name in CHECKBOX_LIST_FIELDS:
            raw[name] = formdata.getlist(name)
        elif name in TERRITORY_FIELDS:
            # Chosen by name (one checkbox a region or département, its code behind); a list of
            # codes typed « 26, 50 » (scripts, older pages) is read the same way.
            raw[name] = [code for item in formdata.getlist(name) for code in _SEPARATORS.split(item) if code]
        elif name == "is_call_for_projects":
            raw[name] = bool(formdata.get(name))
        else:
            raw[name] = (formdata.get(name) or "").strip()
    return raw


def parse_date(text: str) -> date:
    """JJ/MM/AAAA (what people type) or AAAA-MM-JJ (what date inputs send); ValueError otherwise."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_number(text: str) -> float:
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace("%", "")
    return float(cleaned.replace(",", "."))


def parse_programme_form(formdata) -> ProgrammeForm:
    form = ProgrammeForm(raw_from_request(formdata))
    raw, values, errors = form.raw, form.values, form.errors

    values["title"] = raw["title"]
    if not raw["title"]:
        errors["title"] = "Le titre est obligatoire."
    elif len(raw["title"]) > 500:
        errors["title"] = "Le titre est trop long (500 caractères au plus)."
    values["summary"] = raw["summary"]
    values["description_html"] = nh3.clean(raw["description_html"]) if raw["description_html"] else ""
    values["contact"] = raw["contact"] or None

    for name in ("source_url", "application_url"):
        values[name] = raw[name] or None
        if raw[name] and not _URL.match(raw[name]):
            errors[name] = "Adresse web invalide : elle doit commencer par https:// (ou http://)."

    values["funders"] = list(dict.fromkeys(line.strip() for line in raw["funders"].splitlines() if line.strip()))

    # One programme name a line (« Fonds vert - Édition 2024 »), checked as the record check does.
    try:
        values["aid_programmes"] = clean_aid_programmes(raw["aid_programmes"].splitlines())
    except InvalidAidProgramme as error:
        errors["aid_programmes"] = error.message
        values["aid_programmes"] = []

    values["level"] = raw["level"]
    if raw["level"] not in LEVELS:
        errors["level"] = "Choisissez un échelon."
    values["recurrence"] = raw["recurrence"] or None
    if raw["recurrence"] and raw["recurrence"] not in RECURRENCES:
        errors["recurrence"] = "Récurrence inconnue."

    for name, known, label in (("regions", geo.REGIONS, "région"), ("departments", geo.DEPARTMENT_NAMES, "département")):
        codes = [code.upper() for code in raw[name]]
        codes = [code.zfill(2) if code.isdigit() and len(code) == 1 else code for code in codes]
        unknown = [code for code in codes if code not in known]
        if unknown:
            errors[name] = f"Code de {label} inconnu : {', '.join(unknown)}. Indiquez les codes INSEE."
        values[name] = list(dict.fromkeys(codes))

    for name, known in (("beneficiaries", BENEFICIARIES), ("aid_types", AID_TYPES), ("themes", THEMES)):
        chosen = [value for value in raw[name] if value]
        unknown = [value for value in chosen if value not in known]
        if unknown:
            errors[name] = f"Valeur inconnue : {', '.join(unknown)}."
        if name == "themes":
            # A sub-theme always implies its theme.
            chosen = chosen + [value.split("/", 1)[0] for value in chosen if "/" in value]
        values[name] = sorted(dict.fromkeys(chosen)) if name == "themes" else list(dict.fromkeys(chosen))

    try:
        values["territories"] = clean_conditions([value for value in raw["territories"] if value])
    except InvalidCondition as error:
        errors["territories"] = error.message
        values["territories"] = []

    try:
        values["criteria"] = clean_criteria([value for value in raw["criteria"] if value])
    except InvalidCriterion as error:
        errors["criteria"] = error.message
        values["criteria"] = []

    values["is_call_for_projects"] = bool(raw["is_call_for_projects"])

    for name in ("population_min", "population_max"):
        values[name] = None
        if raw[name]:
            try:
                number = _parse_number(raw[name])
                if not number.is_integer() or number < 0 or number > MAX_POPULATION:
                    raise ValueError
                values[name] = int(number)
            except ValueError:
                errors[name] = "Indiquez un nombre d’habitants entier et positif."
    try:
        values["population_bands"] = parse_band_lines(raw["population_bands"])
    except InvalidCriterion as error:
        errors["population_bands"] = error.message
        values["population_bands"] = []
    # With metropolitan bands, the minimum and maximum are their widest union (what search reads).
    apply_bands(values)
    low, high = values["population_min"], values["population_max"]
    if low is not None and high is not None and low > high:
        errors["population_min"] = (f"La population minimale ({number_fr(low)} hab.) dépasse la population "
                                    f"maximale ({number_fr(high)} hab.).")

    for name in ("rate_min", "rate_max"):
        values[name] = None
        if raw[name]:
            try:
                values[name] = _parse_number(raw[name])
            except ValueError:
                errors[name] = "Indiquez un taux en pourcentage, par exemple 40 ou 37,5."
                continue
            if not 0 <= values[name] <= 100:
                errors[name] = "Le taux doit être compris entre 0 et 100 %."
    if (values["rate_min"] is not None and values["rate_max"] is not None and "rate_min" not in errors
            and "rate_max" not in errors and values["rate_min"] > values["rate_max"]):
        errors["rate_min"] = "Le taux minimal dépasse le taux maximal."

    for name in ("amount_min", "amount_max"):
        values[name] = None
        if raw[name]:
            try:
                values[name] = _parse_number(raw[name])
                if not 0 <= values[name] <= MAX_AMOUNT:
                    raise ValueError
            except ValueError:
                errors[name] = "Indiquez un montant positif en euros, par exemple 50000."
                values[name] = None
    if (values["amount_min"] is not None and values["amount_max"] is not None
            and values["amount_min"] > values["amount_max"]):
        errors["amount_min"] = "Le montant minimal dépasse le montant maximal."

    values["opens_on"] = None
    if raw["opens_on"]:
        try:
            values["opens_on"] = parse_date(raw["opens_on"])
        except ValueError:
            errors["opens_on"] = f"Date invalide : « {raw['opens_on']} ». Utilisez le format JJ/MM/AAAA."
    deadlines, invalid = [], []
    for text in _SEPARATORS.split(raw["deadlines"]):
        if not text:
            continue
        try:
            deadlines.append(parse_date(text))
        except ValueError:
            invalid.append(text)
    values["deadlines"] = sorted({value.isoformat() for value in deadlines})
    if invalid:
        errors["deadlines"] = (f"Date invalide : {', '.join('« ' + text + ' »' for text in invalid)}. "
                               "Utilisez le format JJ/MM/AAAA, une date par ligne.")
    elif values["opens_on"] is not None:
        early = [value for value in deadlines if value < values["opens_on"]]
        if early:
            errors["deadlines"] = (f"La date limite du {date_fr(min(early))} précède la date d’ouverture "
                                   f"({date_fr(values['opens_on'])}).")
    return form


def error_summary(errors: dict) -> list[tuple[str, str, str]]:
    """(field, label, message) in the form's order, for the list at the top of the page."""
    summary = [(name, FIELD_LABELS.get(name, name), errors[name]) for name in CONTENT_FIELDS if name in errors]
    return summary + [(name, OTHER_LABELS.get(name, name), message) for name, message in errors.items()
                      if name not in CONTENT_FIELDS]


# Fields of the edit page that are not fields of the record.
OTHER_LABELS = {"reject_reason": "Motif du rejet"}
