"""Aides-territoires (ANCT / beta.gouv) — the national catalogue of aids for local projects (JSON API).

Auth: ``POST /api/connexion/`` with header ``X-AUTH-TOKEN: <AIDES_TERRITOIRES_TOKEN>`` →
``{"token": <JWT valid 24 h>}``; then ``Authorization: Bearer <JWT>``; on 401, a new JWT.
List: ``GET /api/aids/?page=N&itemsPerPage=100`` → ``{count, previous, next, results}``.

Two field namings are read: the current API (``financers`` a list, ``perimeter_scale``,
``subvention_rate_lower_bound``/``upper_bound``, audiences and aid types as labels or as
their codes) and the older export (``financers`` a string, ``subvention_rate``, labels only),
which departmental catalogues built on Aides-territoires still publish.

``programs`` (« programmes d'aides ») is a list of programme names in both vintages: the Django
API serialised it with a ``StringRelatedField(many=True)`` of the program's name since its
version 1.1 (MTES-MCT/aides-territoires, ``src/aids/api/serializers.py``, « Add 'programs' »),
the Symfony API with each ``$program->getName()`` (MTES-MCT/aides-territoires-symfony,
``src/Controller/Api/Aid/AidController.php``, ``getResultsSpe``); the real payloads agree (all
941 aids of the 2021 and 2022 exports and the 4 of 2024 hold a list of strings, « France Relance »,
« Petites villes de demain », « 🇪🇺 LEADER - … »). Since 2022 the European ones start with the EU
flag, which we take off so that both vintages name one programme alike. They fill
``aid_programmes`` (a filter of the search), no longer the description.
"""

from __future__ import annotations

import html
import unicodedata

from scrapers import normalise as norm
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import FetchError, Fetched, HttpClient, Request, absolute
from scrapers.normalise.audiences import audiences
from scrapers.normalise.places import read_perimeter

BASE_URL = "https://aides-territoires.beta.gouv.fr"
LOGIN_URL = f"{BASE_URL}/api/connexion/"
AIDS_URL = f"{BASE_URL}/api/aids/"
PAGE_SIZE = 100
# Replayed responses accept any token: offline machines have none.
REPLAY_TOKEN = "jeton-de-demonstration"


class AidesTerritoires(Source):
    slug = "aides-territoires"
    verified = "responses"
    verified_on = "2026-12-01"
    verified_by = "941 aides des exports publics de l’API (2021, 2022) et 4 aides de l’API actuelle (2024) : bench/bench_sources_real.py"
    name = "Aides-territoires"
    level = "national"
    url = "https://aides-territoires.beta.gouv.fr/"
    schedule = {"hour": 2, "minute": 0}

    def __init__(self, settings=None):
        super().__init__(settings)
        self.jwt: str | None = None

    # -- requests --------------------------------------------------------------------------
    def first_request(self) -> Request:
        return Request(AIDS_URL, params={"page": 1, "itemsPerPage": PAGE_SIZE})

    def login(self, client: HttpClient) -> str:
        token = self.settings.get("AIDES_TERRITOIRES_TOKEN")
        if not token and client is not None and client.replaying:
            token = REPLAY_TOKEN
        if not token:
            raise FetchError("jeton Aides-territoires absent : renseignez GUICHET_AIDES_TERRITOIRES_TOKEN", LOGIN_URL)
        # Never cached: a JWT is a fresh answer every time.
        response = client.send(Request(LOGIN_URL, method="POST", headers={"X-AUTH-TOKEN": token}), conditional=False)
        try:
            return response.json()["token"]
        except (ValueError, KeyError, TypeError):
            raise FetchError("Aides-territoires n’a pas donné de jeton JWT", LOGIN_URL) from None

    def send(self, client: HttpClient, request: Request) -> Fetched:
        if self.jwt is None:
            self.jwt = self.login(client)
        response = client.send(request.with_headers(Authorization=f"Bearer {self.jwt}"), allow_status=(401,))
        if response.status == 401:  # the JWT expired (24 h): one new one, one more try
            self.jwt = self.login(client)
            response = client.send(request.with_headers(Authorization=f"Bearer {self.jwt}"))
        return response

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise ParseError("réponse Aides-territoires sans liste « results »")
        next_url = body.get("next")
        total = body.get("count")
        return ListPage(body["results"], Request(absolute(AIDS_URL, next_url)) if next_url else None,
                        announced=total if isinstance(total, int) and not isinstance(total, bool) else None)

    def entry(self, item) -> Entry | None:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise ValueError("aide sans identifiant")
        if item.get("is_live") is False:
            return None  # a draft or an expired aid the current API still lists: not for people
        page = absolute(BASE_URL, item.get("url")) if item.get("url") else norm.clean_url(item.get("origin_url"))
        return Entry(str(item["id"]), page, item)

    # -- mapping ---------------------------------------------------------------------------
    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        title = raw.get("name") or raw.get("name_initial") or raw.get("short_title")
        if not title or not isinstance(title, str):
            raise ValueError("aide sans nom")
        description = _text_field(raw, "description")
        eligibility = _text_field(raw, "eligibility")
        perimeter = read_perimeter(raw.get("perimeter"), raw.get("perimeter_scale"))
        low, high = norm.population_range(f"{eligibility}\n{description}")
        rate_min, rate_max = _rates(raw)
        deadline = norm.parse_date(raw.get("submission_deadline"))
        categories = _list_field(raw, "categories")
        record.update({
            "source_url": entry.url,
            "title": " ".join(str(title).split()),
            "summary": norm.summary(description),
            "description_html": norm.sanitise_html(_description(raw, description, eligibility, perimeter)),
            "funders": _funders(raw) or list(self.funders),
            "level": perimeter.level,
            "regions": perimeter.regions,
            "departments": perimeter.departments,
            "beneficiaries": audiences(_list_field(raw, "targeted_audiences")),
            "population_min": low,
            "population_max": high,
            "themes": norm.themes_from_categories(categories) or norm.themes_from_text(raw.get("name"), description),
            "aid_programmes": _aid_programmes(raw),
            "aid_types": norm.aid_types(_list_field(raw, "aid_types_full") or _list_field(raw, "aid_types")),
            "is_call_for_projects": bool(raw.get("is_call_for_project")),
            "opens_on": norm.parse_date(raw.get("start_date")),
            "deadlines": [deadline] if deadline else [],
            "recurrence": norm.recurrence(raw.get("recurrence")),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": norm.parse_amount(raw.get("loan_amount") or raw.get("recoverable_advance_amount")),
            "contact": norm.plain_text(raw.get("contact")) or None,
            "application_url": norm.clean_url(raw.get("application_url")) or norm.clean_url(raw.get("origin_url")),
            "source_updated_at": norm.parse_datetime(raw.get("date_updated")),
        })
        return record


def _text_field(raw, name) -> str:
    value = raw.get(name)
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError(f"champ « {name} » : du texte était attendu, pas {type(value).__name__}")
    return value


def _list_field(raw, name) -> list:
    """A list field; one string (older exports) is a list of one; anything else is an error."""
    value = raw.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValueError(f"champ « {name} » : une liste était attendue, pas {type(value).__name__}")
    return value


def _names(values) -> list[str]:
    names = [value.get("name") if isinstance(value, dict) else value for value in values]
    return [" ".join(str(name).split()) for name in names if name and str(name).strip()]


# What the record has no field for is shown to people under these headings, never dropped.
_EXTRA_SECTIONS = (
    ("instructors", "Instruction"),
    ("mobilization_steps", "Étapes du projet concernées"),
    ("destinations", "Dépenses couvertes"),
)


def _description(raw, description, eligibility, perimeter) -> str:
    parts = [description]
    if norm.plain_text(eligibility):
        parts.append(f"<h2>Éligibilité</h2>{eligibility}")
    facts = []
    if perimeter.specific:
        facts.append(f"<li>Territoire : {html.escape(perimeter.specific)} (territoire spécifique : vérifiez que "
                     "votre commune en fait partie)</li>")
    for field, heading in _EXTRA_SECTIONS:
        names = _names(_list_field(raw, field if field != "instructors" or not raw.get("instructors_full")
                                   else "instructors_full"))
        if names:
            facts.append(f"<li>{heading} : {html.escape(' ; '.join(names))}</li>")
    if raw.get("is_charged") is True:
        facts.append("<li>Aide payante (service facturé par le porteur)</li>")
    european = raw.get("european_aid")
    if european:
        facts.append(f"<li>Aide européenne : {html.escape(str(european))}</li>")
    comment = raw.get("subvention_comment")
    if isinstance(comment, str) and comment.strip():
        facts.append(f"<li>Taux de subvention : {html.escape(norm.plain_text(comment))}</li>")
    if facts:
        parts.append("<h2>En bref</h2><ul>" + "".join(facts) + "</ul>")
    examples = _text_field(raw, "project_examples")
    if norm.plain_text(examples):
        parts.append(f"<h2>Exemples de projets</h2>{examples}")
    return "".join(parts)


def _aid_programmes(raw) -> list[str]:
    """``programs``: names (a dict with a ``name`` is read too), the EU flag of the newer names
    taken off (« 🇪🇺 LEADER - … » is « LEADER - … » of 2021); the record check refuses the rest."""
    names = []
    for name in _names(_list_field(raw, "programs")):
        start = 0
        # a flag is two regional indicators (symbols, « So »), maybe with a variation selector
        while start < len(name) and (unicodedata.category(name[start]) in ("So", "Mn", "Cf") or name[start] == " "):
            start += 1
        names.append(name[start:])
    return names


def _funders(raw) -> list[str]:
    """``financers_full`` [{name}], ``financers`` a list of names, or (older export) one string."""
    return norm.dedupe(norm.normalise_funder(name) for name in _names(_list_field(raw, "financers_full")
                                                                          or _list_field(raw, "financers")))


def _rates(raw) -> tuple[float | None, float | None]:
    low, high = raw.get("subvention_rate_lower_bound"), raw.get("subvention_rate_upper_bound")
    older = raw.get("subvention_rate")  # older export: [low, high], {"lower", "upper"} or "[20, 80)"
    if low is None and high is None and older:
        if isinstance(older, dict):
            low, high = older.get("lower"), older.get("upper")
        elif isinstance(older, (list, tuple)) and len(older) == 2:
            low, high = older
        elif isinstance(older, str):
            numbers = [part.strip(" [()]") for part in older.split(",")]
            if len(numbers) == 2:
                low, high = (value or None for value in numbers)
    low = float(low) if low not in (None, "") else None
    high = float(high) if high not in (None, "") else None
    if low is None and high is None:
        return norm.rate_range(raw.get("subvention_comment"))
    return low, high
