"""The theme taxonomy mayors recognise, and how other catalogues' categories map onto it.

A programme's ``themes`` hold top-level slugs (``numerique``) and sub-theme slugs
(``numerique/tres-haut-debit``); a sub-theme always implies its theme.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    slug: str
    label: str
    subthemes: dict[str, str] = field(default_factory=dict)


THEMES = (
    Theme("numerique", "Numérique et ville intelligente", {
        "donnees": "Données et open data",
        "tres-haut-debit": "Très haut débit et téléphonie mobile",
        "inclusion-numerique": "Inclusion numérique",
        "eclairage-intelligent": "Éclairage intelligent",
        "capteurs": "Capteurs et objets connectés",
        "demarches-en-ligne": "Démarches en ligne",
        "cybersecurite": "Cybersécurité",
    }),
    Theme("mobilite", "Mobilité et transports", {
        "mobilites-actives": "Vélo et marche",
        "transports-collectifs": "Transports collectifs",
        "mobilite-partagee": "Covoiturage et autopartage",
        "voirie": "Voirie et sécurité routière",
    }),
    Theme("energie-climat", "Énergie et climat", {
        "renovation-energetique": "Rénovation énergétique des bâtiments",
        "eclairage-public": "Éclairage public",
        "energies-renouvelables": "Énergies renouvelables et chaleur",
        "adaptation": "Adaptation au changement climatique",
    }),
    Theme("environnement", "Environnement et biodiversité", {
        "biodiversite": "Biodiversité et renaturation",
        "eau": "Eau et assainissement",
        "dechets": "Déchets et économie circulaire",
        "risques": "Prévention des risques",
        "alimentation": "Agriculture et alimentation",
    }),
    Theme("urbanisme-logement", "Urbanisme, logement et aménagement", {
        "friches": "Friches et foncier",
        "logement": "Logement et habitat",
        "espace-public": "Espaces publics",
        "planification": "Planification et urbanisme",
    }),
    Theme("revitalisation-commerce", "Revitalisation des centres et commerce", {
        "centre-ville": "Centre-ville et centre-bourg",
        "commerce": "Commerce et artisanat",
        "tiers-lieux": "Tiers-lieux",
        "services-publics": "Services au public",
    }),
    Theme("culture-patrimoine-sport", "Culture, patrimoine et sport", {
        "culture": "Culture et lecture publique",
        "patrimoine": "Patrimoine",
        "sport": "Équipements sportifs",
    }),
    Theme("solidarites-sante-education", "Solidarités, santé et éducation", {
        "ecoles": "Écoles et petite enfance",
        "sante": "Santé",
        "jeunesse": "Jeunesse",
        "solidarite": "Solidarité et lien social",
    }),
    Theme("tourisme", "Tourisme", {
        "itinerance": "Itinérance et randonnée",
        "hebergement": "Hébergement et équipements touristiques",
    }),
    Theme("developpement-economique", "Développement économique et emploi", {
        "industrie": "Industrie",
        "emploi": "Emploi et formation",
        "innovation": "Recherche et innovation",
    }),
    Theme("eau-assainissement", "Eau et assainissement", {
        "eau-potable": "Eau potable",
        "assainissement": "Assainissement",
        "milieux-aquatiques": "Milieux aquatiques",
    }),
    Theme("ingenierie", "Ingénierie et accompagnement", {
        "etudes": "Études et assistance à maîtrise d’ouvrage",
        "conseil": "Conseil et formation des élus",
        "cooperation": "Coopération et échanges européens",
    }),
)

THEMES_BY_SLUG = {theme.slug: theme for theme in THEMES}


def all_theme_slugs() -> dict[str, str]:
    """Every valid slug, themes and sub-themes, with its French label."""
    slugs = {}
    for theme in THEMES:
        slugs[theme.slug] = theme.label
        for sub_slug, label in theme.subthemes.items():
            slugs[f"{theme.slug}/{sub_slug}"] = label
    return slugs


THEME_LABELS = all_theme_slugs()


def theme_label(slug: str) -> str:
    return THEME_LABELS.get(slug, slug)


def top_level(slugs) -> list[str]:
    """The top-level themes of a list of theme and sub-theme slugs, in taxonomy order."""
    tops = {slug.split("/", 1)[0] for slug in slugs}
    return [theme.slug for theme in THEMES if theme.slug in tops]


def expand(slugs) -> list[str]:
    """Slugs plus the themes their sub-themes belong to (what a theme filter matches on)."""
    expanded = []
    for slug in slugs:
        for value in (slug.split("/", 1)[0], slug):
            if value in THEME_LABELS and value not in expanded:
                expanded.append(value)
    return expanded


# Keyword rules for sources without categories: a theme applies when one of its words appears
# in the title or summary. Words are matched after the same French analysis as the search.
KEYWORD_RULES = {
    "numerique": ["numérique", "digital", "données", "open data", "cybersécurité", "smart city",
                  "ville intelligente", "dématérialisation", "intelligence artificielle"],
    "numerique/tres-haut-debit": ["très haut débit", "fibre optique", "THD", "téléphonie mobile", "5G"],
    "numerique/inclusion-numerique": ["inclusion numérique", "médiation numérique", "conseiller numérique"],
    "numerique/cybersecurite": ["cybersécurité", "cyberattaque"],
    "mobilite": ["mobilité", "transport", "covoiturage", "autopartage"],
    "mobilite/mobilites-actives": ["vélo", "cyclable", "mobilités actives", "marche à pied", "voie verte"],
    "energie-climat": ["énergie", "climat", "carbone", "transition énergétique"],
    "energie-climat/renovation-energetique": ["rénovation énergétique", "isolation", "efficacité énergétique"],
    "energie-climat/eclairage-public": ["éclairage public", "LED", "luminaires"],
    "energie-climat/energies-renouvelables": ["photovoltaïque", "solaire", "chaleur renouvelable", "biomasse",
                                              "géothermie", "réseau de chaleur", "méthanisation"],
    "environnement": ["environnement", "écologique", "nature"],
    "environnement/biodiversite": ["biodiversité", "renaturation", "trame verte", "arbres", "forêt"],
    "environnement/dechets": ["déchets", "économie circulaire", "recyclage", "réemploi"],
    "environnement/risques": ["risques naturels", "inondation", "submersion", "érosion"],
    "environnement/alimentation": ["alimentation", "agriculture", "projet alimentaire territorial", "circuits courts"],
    "eau-assainissement": ["eau potable", "assainissement", "milieux aquatiques", "eaux pluviales", "rivière"],
    "urbanisme-logement": ["urbanisme", "aménagement", "logement", "habitat"],
    "urbanisme-logement/friches": ["friche", "foncier", "recyclage foncier"],
    "revitalisation-commerce": ["revitalisation", "centre-ville", "centre-bourg", "cœur de ville",
                                "commerce", "petites villes de demain"],
    "revitalisation-commerce/tiers-lieux": ["tiers-lieu", "coworking", "fablab", "fabrique"],
    "revitalisation-commerce/services-publics": ["France services", "services au public", "maison de santé"],
    "culture-patrimoine-sport/culture": ["culture", "culturel", "bibliothèque", "médiathèque", "musée", "spectacle"],
    "culture-patrimoine-sport/patrimoine": ["patrimoine", "monument historique", "restauration du patrimoine",
                                            "édifice protégé"],
    "culture-patrimoine-sport/sport": ["sport", "sportif", "équipement sportif", "piscine", "gymnase"],
    "solidarites-sante-education": ["solidarité", "social", "santé", "éducation"],
    "solidarites-sante-education/ecoles": ["école", "écoles", "groupe scolaire", "crèche", "petite enfance"],
    "solidarites-sante-education/jeunesse": ["jeunesse", "jeunes"],
    "tourisme": ["tourisme", "touristique", "randonnée", "itinérance"],
    "developpement-economique": ["économie", "économique", "entreprises", "industrie", "emploi", "innovation"],
    "ingenierie": ["ingénierie", "étude", "études", "accompagnement", "assistance à maîtrise d'ouvrage"],
    "ingenierie/cooperation": ["coopération européenne", "coopération transfrontalière", "jumelage",
                               "transfrontalier", "interreg", "échanges européens"],
}
