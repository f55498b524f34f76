"""Downloading the official lists again (`guichet territories refresh`).

Each list with a URL (``guichet.territories.lists``, or ``TERRITORIES_SOURCE_URLS`` in the
configuration) is downloaded, read whole with the same parser as the load, compared with the
list in use, and only then written to ``instance/territories/``. Anything wrong (no network,
HTTP error, another format, far fewer rows than before) keeps the previous file: nothing is
lost, and the message says why.
"""

from dataclasses import dataclass

import requests

from guichet.territories.lists import LISTS, MIN_SHARE_OF_PREVIOUS, InvalidList, parse
from guichet.territories.loader import effective_files, refreshed_dir

TIMEOUT = 60
MAX_BYTES = 50_000_000


@dataclass
class Outcome:
    key: str
    updated: bool
    message: str


def source_urls(config) -> dict[str, str]:
    urls = {key: official.url for key, official in LISTS.items() if official.url}
    urls.update(config.get("TERRITORIES_SOURCE_URLS") or {})
    return {key: url for key, url in urls.items() if key in LISTS and url}


def refresh(app, session: requests.Session | None = None) -> list[Outcome]:
    http = session or requests.Session()
    http.headers.setdefault("User-Agent", "Guichet (listes officielles des territoires)")
    files = effective_files(app.instance_path)
    target = refreshed_dir(app.instance_path)
    outcomes = []
    for key, url in source_urls(app.config).items():
        official = LISTS[key]
        kept = f"{official.title} : liste précédente conservée"
        try:
            response = http.get(url, timeout=TIMEOUT)
            response.raise_for_status()
            content = response.content
            if len(content) > MAX_BYTES:
                raise InvalidList(f"{official.title} : fichier de plus de {MAX_BYTES // 1_000_000} Mo.")
            rows = parse(official, content)
            previous = len(parse(official, files[key][0].read_bytes()))
            if len(rows) < previous * MIN_SHARE_OF_PREVIOUS:
                raise InvalidList(f"{official.title} : {len(rows)} lignes contre {previous} dans la liste en "
                                  "place ; le téléchargement semble tronqué.")
        except requests.RequestException as error:
            outcomes.append(Outcome(key, False, f"{kept} (téléchargement impossible : {type(error).__name__})."))
            continue
        except InvalidList as error:
            outcomes.append(Outcome(key, False, f"{kept}. {error.message}"))
            continue
        target.mkdir(parents=True, exist_ok=True)
        temporary = target / (official.filename + ".part")
        temporary.write_bytes(content)
        temporary.replace(target / official.filename)
        (target / (official.filename + ".origin")).write_text(url, encoding="utf-8")
        outcomes.append(Outcome(key, True, f"{official.title} : {len(rows)} lignes téléchargées depuis {url}."))
    return outcomes
