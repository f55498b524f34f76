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
        "etudes": "Études et assistance à maîtrise d'ouvrage",
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


# Aides-territoires categories ("Theme / Category" as their API's `categories` shows them,
# or the category name alone) onto ours. Their top-level themes map where a category is unknown.
AIDES_TERRITOIRES_THEMES = {
    "urbanisme / logement / aménagement": "urbanisme-logement",
    "nature / environnement": "environnement",
    "énergies / déchets": "energie-climat",
    "eau et milieux aquatiques": "eau-assainissement",
    "mobilité / transports": "mobilite",
    "développement économique / production et consommation": "developpement-economique",
    "culture et identité collective / patrimoine / sports": "culture-patrimoine-sport",
    "solidarités / lien social": "solidarites-sante-education",
    "fonctions support": "ingenierie",
}

AIDES_TERRITOIRES_CATEGORIES = {
    # Urbanisme / logement / aménagement
    "friche": "urbanisme-logement/friches",
    "foncier": "urbanisme-logement/friches",
    "espace public": "urbanisme-logement/espace-public",
    "espaces verts": "environnement/biodiversite",
    "logement et habitat": "urbanisme-logement/logement",
    "accessibilité": "urbanisme-logement/espace-public",
    "bâtiments et construction": "energie-climat/renovation-energetique",
    "réhabilitation": "energie-climat/renovation-energetique",
    "revitalisation": "revitalisation-commerce/centre-ville",
    "aménagement durable": "urbanisme-logement/planification",
    "paysage": "environnement/biodiversite",
    "plans et schémas d'aménagement et d'urbanisme": "urbanisme-logement/planification",
    "centre-ville / centre-bourg": "revitalisation-commerce/centre-ville",
    # Nature / environnement
    "biodiversité": "environnement/biodiversite",
    "forêts": "environnement/biodiversite",
    "sols": "environnement/biodiversite",
    "air": "environnement",
    "risques naturels": "environnement/risques",
    "montagne": "environnement",
    "mers et océans": "environnement",
    "littoral": "environnement",
    "agriculture et agroalimentaire": "environnement/alimentation",
    "alimentation": "environnement/alimentation",
    # Énergies / déchets
    "transition énergétique": "energie-climat",
    "économie d'énergie et rénovation énergétique": "energie-climat/renovation-energetique",
    "énergies renouvelables": "energie-climat/energies-renouvelables",
    "réseaux de chaleur": "energie-climat/energies-renouvelables",
    "éclairage public": "energie-climat/eclairage-public",
    "économie circulaire": "environnement/dechets",
    "circuits courts / filières": "environnement/alimentation",
    "déchets": "environnement/dechets",
    "recyclage et valorisation des déchets": "environnement/dechets",
    "prévention des déchets": "environnement/dechets",
    "adaptation au changement climatique": "energie-climat/adaptation",
    "qualité de l'air": "environnement",
    # Eau et milieux aquatiques
    "eau potable": "eau-assainissement/eau-potable",
    "eau pluviale": "eau-assainissement/assainissement",
    "assainissement des eaux": "eau-assainissement/assainissement",
    "cours d'eau / canaux / plans d'eau": "eau-assainissement/milieux-aquatiques",
    "milieux humides": "eau-assainissement/milieux-aquatiques",
    "risques inondation": "environnement/risques",
    # Mobilité / transports
    "mobilité pour tous": "mobilite",
    "mobilité partagée": "mobilite/mobilite-partagee",
    "modes actifs : vélo, marche et aménagements associés": "mobilite/mobilites-actives",
    "modes actifs": "mobilite/mobilites-actives",
    "transports collectifs et optimisation des trafics routiers": "mobilite/transports-collectifs",
    "infrastructures de transport": "mobilite/voirie",
    "voirie": "mobilite/voirie",
    "logistique urbaine": "mobilite",
    # Développement économique / production et consommation
    "commerces et services": "revitalisation-commerce/commerce",
    "artisanat": "revitalisation-commerce/commerce",
    "tiers-lieux": "revitalisation-commerce/tiers-lieux",
    "industrie": "developpement-economique/industrie",
    "emploi": "developpement-economique/emploi",
    "formation professionnelle": "developpement-economique/emploi",
    "innovation, créativité et recherche": "developpement-economique/innovation",
    "tourisme": "tourisme",
    "consommation et production": "developpement-economique",
    "économie sociale et solidaire": "developpement-economique/emploi",
    "numérique et numérisation": "numerique",
    "technologies numériques et numérisation": "numerique",
    "réseaux et téléphonie mobile": "numerique/tres-haut-debit",
    "très haut débit": "numerique/tres-haut-debit",
    # Culture et identité collective / patrimoine / sports
    "arts plastiques et photographie": "culture-patrimoine-sport/culture",
    "bibliothèques et livres": "culture-patrimoine-sport/culture",
    "culture et identité collective": "culture-patrimoine-sport/culture",
    "musée": "culture-patrimoine-sport/culture",
    "patrimoine et monuments historiques": "culture-patrimoine-sport/patrimoine",
    "spectacle vivant": "culture-patrimoine-sport/culture",
    "sports et loisirs": "culture-patrimoine-sport/sport",
    "médias et communication": "culture-patrimoine-sport/culture",
    "coopération transfrontalière": "ingenierie/cooperation",
    # Solidarités / lien social
    "santé": "solidarites-sante-education/sante",
    "education et renforcement des compétences": "solidarites-sante-education/ecoles",
    "éducation et renforcement des compétences": "solidarites-sante-education/ecoles",
    "jeunesse": "solidarites-sante-education/jeunesse",
    "enfance": "solidarites-sante-education/ecoles",
    "inclusion numérique": "numerique/inclusion-numerique",
    "inclusion sociale": "solidarites-sante-education/solidarite",
    "lutte contre la précarité": "solidarites-sante-education/solidarite",
    "accès aux services": "revitalisation-commerce/services-publics",
    "personnes âgées": "solidarites-sante-education/solidarite",
    "handicap": "solidarites-sante-education/solidarite",
    "egalité des chances": "solidarites-sante-education/solidarite",
    "égalité des chances": "solidarites-sante-education/solidarite",
    "sécurité": "solidarites-sante-education/solidarite",
    "citoyenneté": "solidarites-sante-education/solidarite",
    "quartiers prioritaires": "solidarites-sante-education/solidarite",
    # Fonctions support
    "appui méthodologique": "ingenierie/etudes",
    "formation": "ingenierie/conseil",
    "ingénierie": "ingenierie/etudes",
    "animation et mise en réseau": "ingenierie/conseil",
    "financement": "ingenierie",
    "innovation et expérimentation": "ingenierie",
}


def map_aides_territoires_categories(categories) -> list[str]:
    """Their categories (``"Theme|Category"``, ``"Theme / Category"`` or a bare name) onto our slugs."""
    slugs = []
    for raw in categories or []:
        name = str(raw).strip()
        parts = [part.strip() for part in name.replace("|", "\u0000").split("\u0000")]
        category = parts[-1].lower()
        theme_name = parts[0].lower() if len(parts) > 1 else None
        slug = AIDES_TERRITOIRES_CATEGORIES.get(category)
        if slug is None and theme_name:
            slug = AIDES_TERRITOIRES_THEMES.get(theme_name)
        if slug is None:
            slug = AIDES_TERRITOIRES_THEMES.get(category)
        if slug and slug not in slugs:
            slugs.append(slug)
    return slugs


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
