"""H1 + M2 in headless Chromium: the XSS corpus imported with `guichet import`, then the
search, detail, commune, back-office and digest pages opened: no script of the corpus runs,
no dangerous link or element is left, and our own pages raise no CSP violation."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from guichet.communes.reference import load_reference
from guichet.programmes.models import Programme, utcnow
from tests.communes.conftest import FIXTURE_DATA
from tests.security.conftest import ADMIN
from tests.security.test_sanitise import CORPUS, corpus

# Anything dangerous left in the page once it has run.
LEFTOVERS = """() => {
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const value = attribute.value.trim().toLowerCase();
      if (attribute.name.startsWith('on')) found.push(element.tagName + ' ' + attribute.name);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'srcdoc'].includes(attribute.name)
          && (value.startsWith('javascript:') || value.startsWith('data:text') || value.startsWith('vbscript:')))
        found.push(element.tagName + ' ' + attribute.name + '=' + value);
    }
  }
  for (const tag of ['iframe', 'object', 'embed', 'svg', 'math', 'base', 'meta[http-equiv]'])
    for (const element of document.querySelectorAll('main ' + tag + ', #contenu ' + tag))
      // the description editor's own toolbar icons (quill, served by us), never content
      if (!(tag === 'svg' && element.closest('.ql-toolbar'))) found.push(tag);
  for (const script of document.scripts)
    if (!script.src || new URL(script.src).origin !== location.origin) found.push('script ' + script.outerHTML.slice(0, 80));
  return found;
}"""


class Watcher:
    """Every dialog a script opens and every CSP report of a page."""

    def __init__(self, page):
        self.dialogs, self.violations = [], []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: self.violations.append(message.text)
                if "Content Security Policy" in message.text else None)


@pytest.fixture
def hostile_store(app, runner, staff, store):
    result = runner.invoke(args=["import", str(CORPUS)])
    assert result.exit_code == 0, result.output
    load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    return app


def visit(page, watcher, url, wait_for="h1"):
    page.goto(url)
    page.locator(wait_for).first.wait_for()
    page.wait_for_timeout(150)  # let onload/ontoggle handlers fire, if any survived
    leftovers = page.evaluate(LEFTOVERS)
    assert leftovers == [], (url, leftovers)
    assert watcher.dialogs == [], (url, watcher.dialogs)
    assert watcher.violations == [], (url, watcher.violations)


def test_nothing_of_the_corpus_runs_on_any_page(hostile_store, live_server, chromium):
    records = corpus()
    published = [record["id"] for record in records if record["state"] == "published"]
    context = chromium.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        watcher = Watcher(page)
        visit(page, watcher, f"{live_server}/?q=eau+potable")
        assert page.locator("text=Piège").count() >= len(published)  # the results are there, as text
        visit(page, watcher, f"{live_server}/?q=%3Cscript%3Ealert(1)%3C/script%3E")
        for programme_id in published:
            visit(page, watcher, f"{live_server}/programmes/{programme_id}")
        visit(page, watcher, f"{live_server}/communes/01001")
        visit(page, watcher, f"{live_server}/abonnement?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")

        page.goto(f"{live_server}/admin/login")
        page.get_by_label("Adresse électronique").fill(ADMIN[0])
        page.get_by_label("Mot de passe").fill(ADMIN[1])
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Vous êtes connecté·e.").wait_for()
        visit(page, watcher, f"{live_server}/admin/")
        visit(page, watcher, f"{live_server}/admin/programmes")
        for record in records:
            visit(page, watcher, f"{live_server}/admin/programmes/{record['id']}")
        visit(page, watcher, f"{live_server}/admin/journal")
    finally:
        context.close()


def test_the_digest_email_runs_nothing(hostile_store, chromium):
    from guichet.digests.models import Delivery
    from guichet.digests.planning import plan_digests
    from guichet.digests.rendering import digest_message
    from guichet.digests.subscriptions import add_subscription

    app = hostile_store
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            add_subscription(session, "abonne@commune.test", "q=eau potable", "daily", confirmed=True,
                             now=utcnow() - timedelta(days=2))
            plan_digests(session, "daily")
            delivery = session.query(Delivery).one()
            message = digest_message(session, delivery)
    html = next(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                for part in message.walk() if part.get_content_type() == "text/html")
    assert "Piège" in html
    context = chromium.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        watcher = Watcher(page)
        page.set_content(html)
        page.wait_for_timeout(150)
        assert page.evaluate(LEFTOVERS) == []
        assert watcher.dialogs == []
    finally:
        context.close()


def test_the_policy_stops_a_script_that_reached_the_store_by_another_way(app, make_programme, live_server,
                                                                         browser_page, store):
    """Defence in depth: a row written behind the ORM (an old store, a manual SQL fix) still
    runs nothing, because the Content-Security-Policy refuses inline scripts."""
    programme_id = make_programme(title="Programme ancien")
    store.execute(update(Programme).where(Programme.id == programme_id).values(
        description_html="<p>Ancien</p><script>alert('xss-legacy')</script><img src=x onerror=\"alert('xss-legacy2')\">"))
    store.commit()
    watcher = Watcher(browser_page)
    browser_page.goto(f"{live_server}/programmes/{programme_id}")
    browser_page.locator("h1").wait_for()
    browser_page.wait_for_timeout(200)
    assert watcher.dialogs == []
    assert any("Content Security Policy" in text for text in watcher.violations)
