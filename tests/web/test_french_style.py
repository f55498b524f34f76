"""French without faults (issue 17 point 9): every page type, public and back office, and every
email, rendered and read as a person reads them (visible text only), through a small style check
of the faults the issue names: « de » before a vowel (« de ADEME »), raw « (e) » / « (s) »,
« curateur », a decimal point, a missing space before « ( », « 02 h 45 », a results count beside
« Aucun programme ne correspond », and a straight apostrophe between letters (« l'aide »: the
house style is « ’ », guichet.web.french), on every page, in every email, flash message, API
error, OpenAPI description, feed and CSV header."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.admin.conftest import ADMIN, csrf_token, logged_in_client, staff, staff_hashes  # noqa: F401 (fixtures)
from tests.digests.conftest import BASE_URL, smtp_server  # noqa: F401 (fixture)

FIXTURE_COMMUNES = Path(__file__).resolve().parents[1] / "fixtures" / "communes"

# (name, pattern) over the visible text; each hit is a fault.
CHECKS = (
    ("« de » devant une voyelle", re.compile(r"\b[Dd]e (?=[AEIOUYÉÈÊÀÂÎÔÛaeiouyéèêàâîôû][\w’'-])(?!Y\b)")),
    ("« à le » / « à les » / « de les » devant un nom", re.compile(r"\b(?:à|[Dd]e) (?:[Ll]es?) [A-ZÉ]")),
    ("accord écrit entre parenthèses", re.compile(r"\w\((?:e|s|es|x|ne|le)\)")),
    ("« curateur »", re.compile(r"curat(?:eur|rice)", re.IGNORECASE)),
    # A number with a decimal point (« 80.0 », « 12.5 % »); a version (« Licence Ouverte 2.0 ») is a name.
    ("point décimal", re.compile(r"(?<![\w./-])(?<!Ouverte )(?<!Etalab )(?<!version )\d+\.\d+(?![\w./])")),
    ("espace manquante avant « ( »", re.compile(r"[^\W_]\((?!\))")),
    ("heure avec zéro initial", re.compile(r"\b0\d h \d\d\b")),
    # A quantity without its thousands separator (codes, INSEE or postal, are not quantities).
    ("nombre sans séparateur de milliers", re.compile(r"\b\d{4,}\s?(?:habitants|hab\.|€|euros|programmes)")),
)
STRAIGHT_APOSTROPHE = ("apostrophe droite", re.compile(r"[^\W\d_]'[^\W\d_]"))
EMPTY_WITH_COUNT = re.compile(r"\d[\d\u202f ]* programmes? trouvés?")


EMAIL_ADDRESS = re.compile(r"\S+@\S+")


def visible_text(html: str) -> str:
    """The text a person reads (addresses aside)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "code", "pre", "textarea", "template", "noscript"]):
        hidden.decompose()
    return EMAIL_ADDRESS.sub(" ", " ".join(soup.get_text(" ").split()))


def strings_of(value, keys=None) -> list[str]:
    """Every string of a JSON document (``keys``: only those under these keys)."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (
            [item] if isinstance(item, str) and (keys is None or key in keys) else
            strings_of(item, keys) if not isinstance(item, str) else [])]
    if isinstance(value, list):
        return [text for item in value for text in ([item] if isinstance(item, str) and keys is None
                                                    else strings_of(item, keys))]
    return []


def faults_of(text: str, apostrophes: bool) -> list[str]:
    checks = CHECKS + ((STRAIGHT_APOSTROPHE,) if apostrophes else ())
    found = []
    for name, pattern in checks:
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{name} : …{text[start:match.end() + 40]}…")
    if "Aucun programme ne correspond" in text and EMPTY_WITH_COUNT.search(text):
        found.append("« N programmes trouvés » à côté de « Aucun programme ne correspond »")
    return found


def test_the_style_check_finds_each_fault_it_names():
    for faulty in ("Aide de ADEME", "Thème inconnu(e)", "le curateur", "taux de 80.0", "dans 120 jours(31 mars)",
                   "à 02 h 45", "aux communes de 20000 habitants", "l'aide", "Aide de l'État à les Communes", "programmes ouverts à Le Mans"):
        assert faults_of(faulty, apostrophes=True), faulty
    for right in ("Aide d’ADEME", "Thème inconnu", "la gestionnaire", "taux de 80 %", "dans 120 jours (31 mars)",
                  "à 2 h 45", "aux communes de 20\u202f000 habitants", "l’aide", "version 3.1.0", "Y (80)", "au Mans", "de La Rochelle"):
        assert faults_of(right, apostrophes=True) == [], right
    assert faults_of("3 programmes trouvés · Aucun programme ne correspond", apostrophes=False)


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "COMMUNES_DATA_DIR": str(FIXTURE_COMMUNES), "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp_server.port, "SMTP_TIMEOUT": 5, "BASE_URL": BASE_URL,
            "MAIL_FROM": "Guichet <ne-pas-repondre@guichet.test>"}


def test_every_page_type_and_every_email_reads_as_correct_french(app, client, make_programme, smtp_server, staff):
    from guichet.communes.reference import load_reference
    from guichet.digests.links import SALT_MANAGE, SALT_UNSUBSCRIBE, make_token
    from guichet.digests.models import Subscription
    from guichet.digests.sending import run_digests
    from guichet.digests.subscriptions import add_subscription

    load_reference(app.extensions["guichet.db"], FIXTURE_COMMUNES)
    # A subscription, confirmed, then one digest and the two confirmation emails.
    with app.app_context(), app.extensions["guichet.db"].session() as session:
        subscription, _ = add_subscription(session, "mairie@nevers.example", "theme=energie-climat", "weekly",
                                           confirmed=True)
        tokens = {salt: make_token(subscription, salt) for salt in (SALT_MANAGE, SALT_UNSUBSCRIBE)}
        add_subscription(session, "nouveau@commune.example", "q=chaleur", "daily")
    ademe = make_programme(title="Fonds chaleur renouvelable", funders=["ADEME"], themes=["energie-climat"],
                           aid_types=["subvention"], rate_min=20.0, rate_max=80.0, amount_max=1500000.0,
                           population_min=2000, population_max=20000)
    make_programme(title="Rénovation des écoles", funders=["Agence nationale de la cohésion des territoires"],
                   themes=["solidarites-sante-education"], deadlines=[])
    make_programme(title="Vélo dans l’Oise", funders=["Département de l’Oise"], level="departmental",
                   departments=["60"], themes=["mobilite"])
    # As sources write it, straight apostrophes: shown with the house's « ’ » (at display, the store keeps the source's text).
    lighting = make_programme(title="Rénovation de l'éclairage public", summary="Remplacer les luminaires d'une commune.",
                              funders=["Agence de l'eau Seine-Normandie"], themes=["energie-climat"],
                              description_html="<p>Conditions d'éligibilité : l'aide va aux communes.</p>")

    with app.app_context():
        assert run_digests("weekly").sent == 1
    form = client.get("/abonnement?theme=energie-climat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    client.post("/abonnement", data={"email": "mairie@nevers.example", "frequency": "weekly", "theme": "energie-climat",
                                     "commune": "Nevers", "commune_saisie": "1", **({"csrf_token": token.group(1)} if token else {})})
    emails = smtp_server.wait_for(3)
    assert len(emails) == 3, [message.subject for message in emails]

    public = ["/", "/?q=chaleur&commune=58194", "/?theme=energie-climat&page=40", "/?q=zzzzzz", f"/programmes/{ademe}",
              f"/programmes/{ademe}?commune=58194", "/communes", "/communes?q=Saint-Denis", "/communes/58194",
              "/communes/60057", "/communes/72181", "/communes/29083", "/?commune=60009", "/sources", "/a-propos", "/projets", "/api/", "/impression?theme=energie-climat",
              "/abonnement?theme=energie-climat", "/page-inexistante", "/?q=l'éclairage", f"/programmes/{lighting}", f"/abonnement/gerer/{tokens[SALT_MANAGE]}",
              f"/abonnement/desabonnement/{tokens[SALT_UNSUBSCRIBE]}", "/programmes/inconnu", "/?population=beaucoup",
              "/admin/login"]
    confirm = [link for message in emails for link in message.links("/abonnement/confirmer/")]
    public += [urlsplit(link).path for link in confirm]
    admin = logged_in_client(app, ADMIN)
    back_office = ["/admin/", "/admin/programmes", f"/admin/programmes/{ademe}", "/admin/programmes/nouveau",
                   "/admin/doublons", "/admin/journal", "/admin/sources", "/admin/utilisateurs",
                   f"/admin/programmes/{lighting}", "/admin/programmes?q=éclairage"]

    past_the_last = client.get("/?theme=energie-climat&page=40").get_data(as_text=True)
    assert "Cette page de résultats n’existe pas" in past_the_last and "Aucun programme ne correspond" not in past_the_last
    assert "Aucun programme trouvé" in client.get("/?q=zzzzzz").get_data(as_text=True)

    faults = {}
    for who, paths in ((client, public), (admin, back_office)):
        for path in paths:
            response = who.get(path)
            assert response.status_code in (200, 400, 404), (path, response.status_code)
            assert response.mimetype == "text/html", path
            found = faults_of(visible_text(response.get_data(as_text=True)), apostrophes=True)
            if found:
                faults[path] = found
    # Data as a source wrote it reads with « ’ »; what a person typed and a curator's form keep their own.
    assert "Rénovation de l’éclairage public" in client.get(f"/programmes/{lighting}").get_data(as_text=True)
    assert 'value="l&#39;éclairage"' in client.get("/?q=l'éclairage").get_data(as_text=True)
    assert 'value="Rénovation de l&#39;éclairage public"' in admin.get(f"/admin/programmes/{lighting}").get_data(as_text=True)
    # Flash messages: the login page's, after the back office refused a visitor, and a back-office error's.
    for who, method, path in ((client, "get", "/admin/programmes"), (admin, "post", "/admin/journal/999999/annuler")):
        data = {"csrf_token": csrf_token(admin, "/admin/journal")} if method == "post" else None
        response = getattr(who, method)(path, data=data, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert "fr-alert" in html, path
        found = faults_of(visible_text(html), apostrophes=True)
        if found:
            faults[f"{path} (message)"] = found
    # The API: its errors, in French, and its OpenAPI document's texts.
    messages = set()
    for path in ("/api/v1/programmes?population=beaucoup", "/api/v1/programmes/inconnu", "/api/v1/inexistant",
                 "/api/v1/programmes?q=a&q=b", "/api/v1/communes?q=a&q=b", "/api/v1/programmes?financeur=ADEME",
                 "/api/v1/communes/00000", "/api/v1/programmes?q=eclairage%20NEAR%20public"):
        response = client.get(path)
        assert response.status_code in (400, 404) and response.is_json, (path, response.status_code)
        texts = strings_of(response.get_json())
        messages.update(texts)
        found = faults_of(" ".join(texts), apostrophes=True)
        if found:
            faults[path] = found
    assert len(messages) >= 7, messages  # each error says its own reason
    texts = strings_of(client.get("/api/v1/openapi.json").get_json(), keys=("title", "summary", "description"))
    assert len(texts) > 50
    found = faults_of(" ".join(texts), apostrophes=True)
    if found:
        faults["/api/v1/openapi.json"] = found
    # Feeds and exports: what a feed reader, a calendar and a spreadsheet show.
    import feedparser
    from icalendar import Calendar

    feed = feedparser.parse(client.get("/flux.atom?theme=energie-climat").get_data())
    atom = [feed.feed.title] + [text for entry in feed.entries for text in (
        entry.title, entry.get("summary", ""), *(author.get("name", "") for author in entry.get("authors", [])))]
    calendar = Calendar.from_ical(client.get("/calendrier.ics?theme=energie-climat").get_data())
    events = [str(component.get(key, "")) for component in calendar.walk() for key in ("summary", "description")]
    header = client.get("/export.csv?theme=energie-climat").get_data(as_text=True).splitlines()[0]
    assert any("clairage public" in text for text in atom) and any("clairage public" in text for text in events)
    assert "Types d" in header
    for name, text in (("flux Atom", " ".join(atom)), ("agenda", " ".join(events)), ("colonnes du CSV", header)):
        found = faults_of(text, apostrophes=True)
        if found:
            faults[name] = found
    for message in emails:
        for name, text in (("texte", message.text), ("HTML", visible_text(message.html))):
            found = faults_of(f"{message.subject} {text}", apostrophes=True)
            if found:
                faults[f"courriel « {message.subject} » ({name})"] = found
    assert faults == {}, "\n".join(f"{where} :\n  " + "\n  ".join(found) for where, found in faults.items())
    # The style check read real pages: the back office logged in, the form's commune typed by name.
    assert csrf_token(admin, "/admin/")
    with app.extensions["guichet.db"].session() as session:
        assert {row.search for row in session.query(Subscription)} == {
            "theme=energie-climat", "q=chaleur", "theme=energie-climat&commune=58194"}
