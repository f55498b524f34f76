"""A realistic synthetic corpus of programmes, for benchmarks (never for tests' assertions).

French titles and descriptions are assembled from each theme's vocabulary, with funders,
levels, geography, population rules and dates spread as in real catalogues. The same seed
gives the same corpus, so figures can be compared from one run to the next.

    from bench.corpus import generate, load
    load(app, 20_000)          # into the app's store, then one index rebuild
"""

import random
import time
from datetime import date, datetime, timedelta

from guichet import geo

THEME_VOCABULARY = {
    "numerique": (["Déploiement du très haut débit", "Inclusion numérique", "Ville intelligente et capteurs",
                   "Ouverture des données publiques", "Cybersécurité des collectivités", "Démarches en ligne",
                   "Éclairage intelligent connecté", "Tiers-lieux numériques"],
                  ["fibre optique", "données", "capteurs", "plateforme numérique", "médiation numérique",
                   "cybersécurité", "outils numériques", "connectivité", "smart city", "open data"]),
    "mobilite": (["Aménagements cyclables", "Mobilités actives du quotidien", "Transport à la demande",
                  "Covoiturage rural", "Pôles d'échanges multimodaux", "Sécurisation de la voirie"],
                 ["pistes cyclables", "vélo", "stationnement vélo", "marche", "covoiturage", "bus",
                  "voirie", "mobilités partagées", "intermodalité"]),
    "energie-climat": (["Rénovation énergétique des bâtiments publics", "Éclairage public performant",
                        "Chaleur renouvelable", "Photovoltaïque sur les toitures communales",
                        "Adaptation au changement climatique", "Réseaux de chaleur"],
                       ["isolation", "LED", "luminaires", "chaufferie biomasse", "panneaux solaires",
                        "sobriété énergétique", "écoles", "gymnases", "îlots de chaleur"]),
    "environnement": (["Renaturation des villes", "Biodiversité communale", "Prévention des déchets",
                       "Gestion des risques naturels", "Projet alimentaire territorial"],
                      ["arbres", "trame verte", "désimperméabilisation", "compostage", "réemploi",
                       "inondation", "cantine", "circuits courts", "zones humides"]),
    "urbanisme-logement": (["Recyclage des friches", "Réhabilitation de l'habitat ancien", "Espaces publics",
                            "Planification urbaine"],
                           ["friche industrielle", "foncier", "logements vacants", "place du village",
                            "plan local d'urbanisme", "aménagement", "habitat indigne"]),
    "revitalisation-commerce": (["Revitalisation du centre-bourg", "Commerce de proximité",
                                 "Tiers-lieux et espaces de coworking", "Maisons France services"],
                                ["centre-ville", "vitrines", "commerces vacants", "coworking", "fablab",
                                 "cœur de ville", "artisans", "services au public"]),
    "culture-patrimoine-sport": (["Restauration du patrimoine", "Médiathèques et lecture publique",
                                  "Équipements sportifs de proximité", "Éducation artistique"],
                                 ["monument historique", "église", "bibliothèque", "terrain multisports",
                                  "piscine", "spectacle vivant", "musée"]),
    "solidarites-sante-education": (["Maisons de santé", "Écoles et petite enfance", "Jeunesse et engagement",
                                     "Accès aux droits"],
                                    ["médecins", "groupe scolaire", "crèche", "jeunes", "personnes âgées",
                                     "accessibilité", "lien social"]),
    "tourisme": (["Itinérance douce", "Hébergements touristiques", "Valorisation des sites naturels"],
                 ["randonnée", "voie verte", "camping", "office de tourisme", "sentiers"]),
    "developpement-economique": (["Zones d'activités", "Industrie du futur", "Économie sociale et solidaire"],
                                 ["entreprises", "emploi", "innovation", "reconversion", "artisanat"]),
    "eau-assainissement": (["Eau potable", "Assainissement collectif", "Restauration des cours d'eau"],
                           ["réseaux d'eau", "station d'épuration", "eaux pluviales", "rivières"]),
    "ingenierie": (["Ingénierie territoriale", "Assistance à maîtrise d'ouvrage", "Coopération européenne"],
                   ["études", "accompagnement", "chef de projet", "diagnostic", "échanges"]),
}
FUNDERS = {
    "europe": ["Union européenne", "Commission européenne", "Banque européenne d'investissement"],
    "national": ["État", "ADEME", "Banque des Territoires", "Agence nationale de la cohésion des territoires (ANCT)",
                 "Agence nationale du sport", "Ministère de la Culture"],
    "regional": ["Région"],
    "departmental": ["Département"],
    "local": ["Syndicat d'énergie", "Communauté de communes"],
}
SENTENCES = [
    "Ce programme finance les projets des collectivités en matière de {a} et de {b}.",
    "Les dépenses éligibles couvrent les études, les travaux et l'acquisition d'équipements liés à {a}.",
    "Une attention particulière est portée aux projets associant {a} et {b} dans les petites communes.",
    "L'aide est versée sous forme de subvention, après instruction du dossier par les services compétents.",
    "Les projets doivent démontrer leur contribution à {a} et leur intégration dans la stratégie du territoire.",
    "Le dossier comprend une note de présentation, un plan de financement et un calendrier prévisionnel.",
]
POPULATION_RULES = [(None, None)] * 6 + [(None, 3499), (None, 20000), (2000, 20000), (20000, 100000),
                                         (None, 10000), (5000, None), (50000, None)]
BENEFICIARY_SETS = [["commune"], ["commune", "epci"], ["commune", "epci", "association"], ["epci"],
                    ["commune", "etablissement_public"], ["entreprise", "commune"], ["association"], []]
AID_TYPE_SETS = [["subvention"], ["subvention"], ["subvention", "ingenierie"], ["pret"], ["ingenierie"],
                 ["avance_remboursable"], ["subvention", "pret"]]
LEVEL_WEIGHTS = {"europe": 1, "national": 3, "regional": 4, "departmental": 3, "local": 1}

# 50 queries a mayor would type, half with filters: what the benchmarks measure.
QUERY_MIX = [
    {"q": "éclairage public"}, {"q": "LED"}, {"q": "vélo"}, {"q": "pistes cyclables"}, {"q": "tiers-lieu"},
    {"q": "fibre"}, {"q": "rénovation énergétique école"}, {"q": "centre-bourg"}, {"q": "friche"},
    {"q": "maison de santé"}, {"q": "patrimoine église"}, {"q": "numérique"}, {"q": "cybersécurité"},
    {"q": "covoiturage"}, {"q": "eau potable"}, {"q": "biodiversité"}, {"q": "médiathèque"},
    {"q": "photovoltaïque"}, {"q": "inondation"}, {"q": "commerce"}, {"q": "coworking"},
    {"q": "l'éclairage"}, {"q": "mobilités actives"}, {"q": "ingénierie"}, {},
    {"q": "vélo", "population": "2000-20000"}, {"q": "éclairage", "theme": "energie-climat"},
    {"theme": "numerique"}, {"theme": "mobilite", "level": "regional"},
    {"q": "rénovation", "region": "44"}, {"q": "école", "department": "60"},
    {"population": "12000"}, {"population": "moins-2000", "theme": "revitalisation-commerce"},
    {"q": "friche", "aid_type": "subvention"}, {"q": "numérique", "beneficiary": "epci"},
    {"status": "clos", "q": "vélo"}, {"sort": "date_limite"}, {"sort": "nouveaute", "theme": "environnement"},
    {"q": "tiers-lieu", "sort": "date_limite"}, {"deadline_before": "2027-06-30"},
    {"q": "données", "level": "europe"}, {"theme": "culture-patrimoine-sport", "population": "20000-100000"},
    {"q": "piscine", "region": "84"}, {"q": "très haut débit", "level": "national"},
    {"level": "departmental", "department": "26"}, {"q": "assainissement", "population": "3000"},
    {"q": "cœur de ville", "population": "plus-100000"}, {"theme": "tourisme", "status": ["ouvert", "a_venir", "clos"]},
    {"q": "jeunes", "page": "2"}, {"q": "centre-ville", "theme": "revitalisation-commerce", "level": "national"},
]


def generate(count: int, seed: int = 42, today: date | None = None):
    """``count`` programme records (dicts with the record's field names)."""
    rng = random.Random(seed)
    today = today or date.today()
    theme_slugs = list(THEME_VOCABULARY)
    levels = [level for level, weight in LEVEL_WEIGHTS.items() for _ in range(weight)]
    regions = list(geo.REGIONS)
    departments = list(geo.DEPARTMENTS)
    for number in range(count):
        theme = rng.choice(theme_slugs)
        titles, words = THEME_VOCABULARY[theme]
        other_theme = rng.choice(theme_slugs)
        level = rng.choice(levels)
        region_codes, department_codes = [], []
        if level == "regional":
            region_codes = [rng.choice(regions)]
        elif level in ("departmental", "local"):
            department_codes = [rng.choice(departments)]
        title = f"{rng.choice(titles)} — {rng.choice(words)}"
        if rng.random() < 0.3:
            title += f" ({rng.choice(['appel à projets', 'édition ' + str(today.year + 1), 'programme 2021-2027'])})"
        chosen = rng.sample(words, k=min(3, len(words))) + rng.sample(THEME_VOCABULARY[other_theme][1], k=2)
        sentences = [rng.choice(SENTENCES).format(a=chosen[index % len(chosen)], b=chosen[(index + 1) % len(chosen)])
                     for index in range(rng.randint(3, 6))]
        population_min, population_max = rng.choice(POPULATION_RULES)
        opens_on = today + timedelta(days=rng.randint(-400, 60))
        recurrence = rng.choice(["ponctuelle", "ponctuelle", "recurrente", "permanente"])
        deadlines = [] if recurrence == "permanente" else sorted(
            (opens_on + timedelta(days=rng.randint(30, 500))).isoformat() for _ in range(rng.choice([1, 1, 1, 2])))
        yield {
            "id": f"bench-{number}",
            "source": "bench",
            "source_id": str(number),
            "source_url": f"https://financeur.example/programmes/{number}",
            "title": title,
            "summary": sentences[0],
            "description_html": "".join(f"<p>{sentence}</p>" for sentence in sentences),
            "funders": [rng.choice(FUNDERS[level])],
            "level": level,
            "regions": region_codes,
            "departments": department_codes,
            "beneficiaries": rng.choice(BENEFICIARY_SETS),
            "population_min": population_min,
            "population_max": population_max,
            "themes": [theme] + ([other_theme] if other_theme != theme and rng.random() < 0.4 else []),
            "aid_types": rng.choice(AID_TYPE_SETS),
            "is_call_for_projects": rng.random() < 0.4,
            "opens_on": opens_on.isoformat(),
            "deadlines": deadlines,
            "recurrence": recurrence,
            "rate_min": None,
            "rate_max": rng.choice([None, 30.0, 50.0, 80.0]),
            "amount_min": None,
            "amount_max": rng.choice([None, 50000.0, 200000.0, 1000000.0]),
            "contact": None,
            "application_url": None,
            "state": "published",
        }


def load(app, count: int, seed: int = 42, rebuild: bool = True) -> dict:
    """Write ``count`` programmes into the app's store (bulk), then rebuild the index once.

    Returns timings: store seconds, index seconds, programmes per second of indexing.
    """
    from sqlalchemy import insert

    from guichet.programmes.models import Programme
    from guichet.programmes.records import clean_record, content_hash
    from guichet.search import rebuild_index

    now = datetime.now().replace(microsecond=0)
    started = time.perf_counter()
    database = app.extensions["guichet.db"]
    batch = []
    with database.engine.begin() as connection:
        for data in generate(count, seed):
            record = clean_record(data)
            record.update(first_seen_at=now - timedelta(minutes=int(record["source_id"]) % 5000),
                          last_seen_at=now, published_at=now, content_hash=content_hash(record),
                          curated_fields=[], source_values={}, created_at=now, updated_at=now, version=1)
            batch.append(record)
            if len(batch) == 2000:
                connection.execute(insert(Programme), batch)
                batch = []
        if batch:
            connection.execute(insert(Programme), batch)
    stored = time.perf_counter() - started
    indexed_seconds = 0.0
    if rebuild:
        with app.app_context():
            started = time.perf_counter()
            rebuild_index(app)
            indexed_seconds = time.perf_counter() - started
    return {"store_seconds": stored, "index_seconds": indexed_seconds,
            "index_per_second": count / indexed_seconds if indexed_seconds else None}
