"""The whole subscription in a real browser (headless Chromium, JavaScript off): from the
search page to the confirmed subscription, then a digest and one click to unsubscribe."""

import re


def test_subscribe_confirm_and_unsubscribe_in_a_browser(app, live_server, chromium, smtp_server, make_programme,
                                                        run_digests):
    app.config["BASE_URL"] = live_server  # links in emails point at the live server
    context = chromium.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/?q=vélo&theme=mobilite")
        page.get_by_role("link", name="Recevoir les nouveaux programmes de cette recherche").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Recevoir les nouveaux programmes de cette recherche"
        assert page.locator("#filtres-recherche").inner_text().splitlines() == [
            "Mots : « vélo »", "Thème : Mobilité et transports"]
        page.get_by_label("Adresse électronique").fill("maire@commune.example")
        page.locator("label[for=frequency-daily]").click()
        page.get_by_role("button", name="M’abonner").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Vérifiez votre messagerie"

        [confirmation] = smtp_server.wait_for(1)
        [link] = re.findall(re.escape(live_server) + r"/abonnement/confirmer/\S+", confirmation.text)
        page.goto(link)
        page.get_by_role("button", name="Confirmer mon abonnement").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Abonnement confirmé"

        make_programme(title="Stationnement vélo sécurisé", summary="vélo", themes=["mobilite"])
        assert run_digests("daily").sent == 1
        digest = smtp_server.messages[-1]
        [manage] = re.findall(re.escape(live_server) + r"/abonnement/gerer/\S+", digest.text)
        page.goto(manage)
        page.locator("label[for=frequency-weekly]").click()
        page.get_by_role("button", name="Enregistrer").click()
        assert "Vos préférences sont enregistrées" in page.locator("#avis").inner_text()
        assert "lettre hebdomadaire" in page.locator("#etat").inner_text()
        page.get_by_role("button", name="Me désabonner").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Désabonnement enregistré"
    finally:
        context.close()
