"""The judged queries: written as mayors and town-hall staff type them, with what each one needs.

Each query states its information need as patterns over the folded text of the corpus (lower
case, no accents): an aid whose *title* says it is about the need is graded 2 (relevant), one
whose text says so only in its description is graded 1 (partly relevant), the rest 0.
``exclude`` takes out aids the pattern catches but that answer something else. The patterns
describe the need, never a search engine's behaviour: they are written from what the secretary
wants (« lampadaires » wants public lighting, whatever the words), and ``judge.py`` turns them
into explicit judgments by id (``judgments.json``), which the benchmark reads and which anyone
can review or correct by hand.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    query: str
    kind: str  # theme slug, or "smart-city", "village", "typo", "abbreviation"
    title: str  # regex on the folded title: grade 2
    text: str = ""  # regex on the folded summary + description: grade 1 (defaults to ``title``)
    exclude: str = ""  # regex on the folded title: never relevant


LIGHTING = r"eclairage (public|exterieur|intelligent|performant)|renovation de l.eclairage|luminaires?|lampadaires?|candelabres?"
NEEDS = (
    # -- Numérique et ville intelligente ---------------------------------------------------------
    Need("cybersécurité mairie", "numerique", r"cyber|securite (informatique|numerique)|sauvegarde informatique",
         r"cyber|securite informatique|sauvegarde informatique"),
    Need("informatique de la mairie", "numerique", r"informati|numerique des collectivites|transformation numerique",
         r"parc informatique|materiel informatique|logiciel"),
    Need("fibre optique village", "numerique", r"fibre|tres haut debit|\bthd\b|couverture (mobile|numerique)|new deal mobile",
         r"fibre optique|tres haut debit"),
    Need("THD", "abbreviation", r"fibre|tres haut debit|\bthd\b", r"fibre optique|tres haut debit|\bthd\b"),
    Need("zones blanches téléphone mobile", "numerique", r"new deal mobile|couverture (mobile|ciblee)|telephonie",
         r"zones? blanches?|couverture mobile|telephonie mobile"),
    Need("capteurs connectés", "smart-city", r"capteur|objets? connecte|iot\b|ville intelligente|smart",
         r"capteurs?|objets? connectes?"),
    Need("ville intelligente", "smart-city", r"ville intelligente|smart city|territoire intelligent|ville de demain",
         r"ville intelligente|smart city|territoires? intelligents?"),
    Need("open data données publiques", "smart-city", r"donnees|open data|data\b", r"open data|donnees ouvertes|ouverture des donnees"),
    Need("éclairage intelligent", "smart-city", LIGHTING, r"eclairage public|luminaires?|eclairage intelligent"),
    Need("click and collect commerçants", "smart-city", r"commerc|numerique des (commerces|entreprises)|vente en ligne",
         r"click and collect|vente en ligne|e-commerce|commerce en ligne"),
    Need("inclusion numérique conseiller", "numerique", r"inclusion numerique|conseillers? numeriques?|mediation numerique",
         r"inclusion numerique|conseillers? numeriques?|mediation numerique"),
    Need("vidéoprotection", "numerique", r"video|camera", r"videoprotection|video-protection|videosurveillance|video-surveillance"),
    # -- Énergie et climat -----------------------------------------------------------------------
    Need("lampadaires", "energie-climat", LIGHTING, r"eclairage public|luminaires?|lampadaires?"),
    Need("lampadaire LED", "energie-climat", LIGHTING, r"eclairage public|luminaires?|lampadaires?|\bled\b"),
    Need("éclairage public", "energie-climat", LIGHTING, r"eclairage public|luminaires?|lampadaires?"),
    Need("eclairage publique", "typo", LIGHTING, r"eclairage public|luminaires?|lampadaires?"),
    Need("rénovation énergétique bâtiments communaux", "energie-climat",
         r"renovation (energetique|thermique)|efficacite energetique|performance energetique|edurenov|isolation",
         r"renovation energetique|efficacite energetique|isolation thermique"),
    Need("isolation école", "energie-climat", r"renovation energetique|isolation|edurenov|batiments? scolaires?",
         r"isolation|renovation energetique des (ecoles|batiments scolaires)"),
    Need("panneaux solaires toiture mairie", "energie-climat", r"solaire|photovoltai", r"photovoltai|panneaux solaires"),
    Need("photovoltaique", "typo", r"solaire|photovoltai", r"photovoltai|panneaux solaires"),
    Need("chaufferie bois", "energie-climat", r"chaufferie|biomasse|bois[- ]energie|chaleur renouvelable|reseaux? de chaleur",
         r"chaufferie|biomasse|bois[- ]energie"),
    Need("réseau de chaleur", "energie-climat", r"reseaux? de chaleur|chaleur renouvelable|fonds chaleur|chaufferie",
         r"reseaux? de chaleur"),
    Need("borne recharge voiture électrique", "mobilite", r"borne|recharge|irve", r"bornes? de recharge|\birve\b"),
    Need("IRVE", "abbreviation", r"borne|recharge|irve", r"bornes? de recharge|\birve\b"),
    Need("CEE économies d'énergie", "abbreviation", r"certificats? d.economies d.energie|\bcee\b|economies? d.energie",
         r"certificats? d.economies d.energie|\bcee\b"),
    Need("géothermie", "energie-climat", r"geotherm", r"geotherm"),
    # -- Mobilité ----------------------------------------------------------------------------------
    Need("piste cyclable", "mobilite", r"cyclab|\bvelos?\b|mobilites? actives?", r"pistes? cyclables?|amenagements? cyclables?|itineraires? cyclables?"),
    Need("pistes cyclabes", "typo", r"cyclab|\bvelos?\b|mobilites? actives?", r"pistes? cyclables?|amenagements? cyclables?"),
    Need("covoiturage rural", "mobilite", r"covoiturage|autopartage|mobilites? partagees?|mobilite rurale|mobilite solidaire",
         r"covoiturage|autopartage"),
    Need("transport à la demande", "mobilite", r"transports? a la demande|mobilite|transports? collectifs?",
         r"transports? a la demande"),
    Need("sécurité routière traversée du bourg", "mobilite", r"securite routiere|amenagements? de securite|voirie|routiers?",
         r"securite routiere|ralentisseur|traversee"),
    Need("réfection voirie communale", "mobilite", r"voirie|chaussee|routes?|ponts?|ouvrages? d.art", r"voirie communale|refection"),
    # -- Environnement ---------------------------------------------------------------------------
    Need("plantation de haies", "environnement", r"haies?|bocag|plantation|arbres?|agroforest", r"haies?|bocage|plantation d.arbres"),
    Need("biodiversité zones humides", "environnement", r"biodiversite|zones? humides?|milieux naturels|milieux aquatiques",
         r"zones? humides?"),
    Need("atlas biodiversité communale", "environnement", r"atlas|biodiversite", r"atlas de la biodiversite|\babc\b"),
    Need("ordures ménagères tri", "environnement", r"dechets|biodechets|tri\b|ordures|collecte|recycl",
         r"ordures menageres|tri (a la source|des dechets)|collecte des dechets"),
    Need("compostage biodéchets", "environnement", r"biodechets|compost", r"biodechets|compost"),
    Need("inondations crues", "environnement", r"inondation|crues?|risques? naturels?|barnier|submersion|gemapi",
         r"inondations?|crues?|submersion"),
    Need("feux de forêt débroussaillement", "environnement", r"incendie|feux|forets?|debroussaill", r"incendies? de forets?|feux de forets?|debroussaill"),
    Need("desimpermeabilisation cour d'école", "environnement", r"desimpermeabil|renaturation|vegetalisation|cours? d.ecole|oasis",
         r"desimpermeabil|renaturation|vegetalisation"),
    # -- Eau et assainissement ---------------------------------------------------------------------
    Need("eau potable canalisations", "eau-assainissement", r"eau potable|agences? de l.eau|reseaux? d.eau|alimentation en eau",
         r"eau potable|canalisations?"),
    Need("station d'épuration", "eau-assainissement", r"epuration|assainissement|eaux usees", r"station d.epuration|assainissement"),
    Need("assainisement non collectif", "typo", r"assainissement", r"assainissement non collectif|\bspanc\b"),
    Need("récupération eau de pluie", "eau-assainissement", r"eaux? pluviales?|eaux? de pluie|gestion de l.eau|ressource en eau|economies? d.eau",
         r"eaux? pluviales?|eaux? de pluie"),
    # -- Urbanisme, logement -------------------------------------------------------------------------
    Need("revision du PLU", "abbreviation", r"documents? d.urbanisme|\bplui?\b|plan local d.urbanisme|planification",
         r"\bplui?\b|plan local d.urbanisme|documents? d.urbanisme"),
    Need("PLUi intercommunal", "abbreviation", r"documents? d.urbanisme|\bplui?\b|plan local d.urbanisme|planification",
         r"\bplui\b|plan local d.urbanisme intercommunal|documents? d.urbanisme"),
    Need("SCoT", "abbreviation", r"\bscot\b|schemas? de coherence|documents? d.urbanisme|planification",
         r"\bscot\b|schema de coherence territoriale"),
    Need("construction logements HLM", "urbanisme-logement", r"logements? (locatifs? )?sociaux|logement social|hlm|habitat",
         r"logements? sociaux|logement social|\bhlm\b|bailleurs? sociaux"),
    Need("logement insalubre", "urbanisme-logement", r"habitat indigne|insalubr|habitat degrade|lutte contre l.habitat|opah|amelioration de l.habitat",
         r"insalubr|habitat indigne|habitat degrade"),
    Need("réhabilitation friche industrielle", "urbanisme-logement", r"friches?|recyclage foncier|reconversion", r"friches?"),
    Need("acquisition foncière", "urbanisme-logement", r"foncier|fonciere|acquisitions?", r"acquisitions? foncieres?|portage foncier|maitrise fonciere"),
    Need("aménagement place du village", "village", r"espaces? publics?|centres?[- ]bourgs?|places? (du village|publiques?)|amenagement (des |d.)?(espaces|bourgs?|centres?)",
         r"espaces? publics?|place du village|centre[- ]bourg"),
    # -- Revitalisation, commerce ---------------------------------------------------------------------
    Need("revitalisation centre-ville", "revitalisation-commerce",
         r"revitalisation|centres?[- ]villes?|centres?[- ]bourgs?|coeur de ville|petites villes de demain|centres anciens|redynamis",
         r"revitalisation|centres?[- ]villes?|centres?[- ]bourgs?|coeur de ville"),
    Need("dernier commerce du village", "village", r"commerces?|artisan|proximite|multiple rural|derniers? commerces?",
         r"derniers? commerces?|commerces? de proximite|multiple rural"),
    Need("tiers lieu coworking", "revitalisation-commerce", r"tiers[- ]lieux?|coworking|fab ?lab|fabriques? de territoire",
         r"tiers[- ]lieux?|coworking|fablab"),
    Need("maison france services", "revitalisation-commerce", r"france services|services? au public|maisons? de services",
         r"france services|maisons? de services au public"),
    Need("petites villes de demain", "revitalisation-commerce", r"petites villes de demain|\bpvd\b|revitalisation", r"petites villes de demain"),
    # -- Culture, patrimoine, sport ----------------------------------------------------------------
    Need("restauration église", "culture-patrimoine-sport", r"patrimoine|monuments? historiques?|edifices?|eglise",
         r"eglises?|edifices? religieux|patrimoine religieux"),
    Need("biblioteque", "typo", r"bibliotheque|mediatheque|lecture publique|livre", r"bibliotheques?|mediatheques?|lecture publique"),
    Need("médiathèque", "culture-patrimoine-sport", r"bibliotheque|mediatheque|lecture publique|livre", r"bibliotheques?|mediatheques?|lecture publique"),
    Need("terrain de foot synthétique", "culture-patrimoine-sport", r"\bsport|equipements? sportifs?|\bstades?\b", r"terrains? (de (foot|sport)|synthetiques?)|equipements? sportifs?|stades?"),
    Need("salle des fêtes rénovation", "village", r"salles? (des fetes|polyvalentes?|communales?)|equipements? publics?|batiments? publics?|dotation|detr|dsil",
         r"salles? (des fetes|polyvalentes?|communales?)"),
    Need("cinéma", "culture-patrimoine-sport", r"cinema", r"cinemas?|salles? de cinema"),
    # -- Solidarités, santé, éducation ------------------------------------------------------------------
    Need("maison de santé médecins", "solidarites-sante-education", r"sante|soins|medecins?|medical",
         r"maisons? de sante|centres? de sante|medecins?|desert medical"),
    Need("EHPAD personnes âgées", "abbreviation", r"personnes agees|ehpad|autonomie|seniors?|vieillissement",
         r"personnes agees|\behpad\b|perte d.autonomie"),
    Need("accessibilité PMR", "abbreviation", r"accessibilit|handicap|\bpmr\b|mobilite reduite",
         r"accessibilite|personnes a mobilite reduite|\bpmr\b|handicap"),
    Need("cantine scolaire", "solidarites-sante-education", r"restauration (collective|scolaire)|cantine|alimentation|repas|ecoles?",
         r"cantines?|restauration (scolaire|collective)"),
    Need("ALSH centre de loisirs", "abbreviation", r"loisirs|jeunesse|enfance|\balsh\b|periscolaire|accueil collectif",
         r"centres? de loisirs|accueils? de loisirs|\balsh\b|periscolaire"),
    Need("crèche petite enfance", "solidarites-sante-education", r"creche|petite enfance|enfance|accueil du jeune enfant",
         r"creches?|petite enfance"),
    Need("quartier prioritaire QPV", "abbreviation", r"politique de la ville|quartiers?|qpv|renouvellement urbain",
         r"quartiers? prioritaires?|\bqpv\b|politique de la ville"),
    Need("prévention délinquance", "solidarites-sante-education", r"delinquance|prevention|securite|fipd", r"delinquance|radicalisation"),
    # -- Tourisme, économie, agriculture -------------------------------------------------------------
    Need("sentier de randonnée", "tourisme", r"randonn|itinera|sentiers?|chemins?|tourisme", r"randonnees?|sentiers?|itinerance"),
    Need("camping municipal", "tourisme", r"hebergements? touristiques?|tourisme|touristiques?|camping", r"camping|hebergements? touristiques?"),
    Need("aide création entreprise", "developpement-economique", r"creation (d.|et (au )?developpement d.)?entreprises?|creation d.activites?|reprise d.entreprises?|entrepreneur",
         r"creation d.entreprises?|creation et (au )?developpement d.entreprises?"),
    Need("circuits courts agriculteurs", "environnement", r"circuits? courts?|alimentation|agricol|produits locaux|projets? alimentaires?",
         r"circuits? courts?|produits locaux|vente directe"),
    Need("forêt communale", "environnement", r"forets?|bois|forestier|sylvicult", r"forets? communales?|forets? des collectivites|forestiers?"),
    # -- Ingénierie, financement -------------------------------------------------------------------
    Need("AAP", "abbreviation", r"appels? a projets?|\baap\b|\bami\b|appel a manifestation", r"appels? a projets?|\baap\b"),
    Need("AMI", "abbreviation", r"appels? a manifestation|\bami\b", r"appels? a manifestation d.interet|\bami\b"),
    Need("aide ingénierie petite commune", "village", r"ingenierie|assistance (technique|a maitrise)|accompagner les (petites )?(communes|collectivites)",
         r"ingenierie|assistance a maitrise d.ouvrage|accompagnement des collectivites"),
    Need("DETR", "abbreviation", r"\bdetr\b|dotation d.equipement des territoires ruraux", r"\bdetr\b|dotation d.equipement des territoires ruraux"),
    Need("zone de revitalisation rurale ZRR", "abbreviation", r"\bzrr\b|\bfrr\b|revitalisation rurale|ruralites? revitalisation|rural",
         r"\bzrr\b|\bfrr\b|zones? de revitalisation rurale|france ruralites"),
    Need("EPCI", "abbreviation", r"\bepci\b|intercommunal|communautes? de communes", r"\bepci\b|intercommunalites?"),
    Need("LEADER fonds européen", "abbreviation", r"leader|feader|europe", r"\bleader\b|feader"),
)
