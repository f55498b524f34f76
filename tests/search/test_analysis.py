"""Both backends analyse French text identically: the same texts, fed to the Python analysis
(what the embedded index and every query use) and to a real Elasticsearch node's index
analyzer, give the same terms."""

import uuid

import pytest
from elasticsearch import Elasticsearch

from guichet.search.analysis import analyse
from guichet.search.elasticsearch import index_definition

TEXTS = [
    "Rénovation de l'éclairage public des communes rurales",
    "L'Éclairage public, les luminaires et lampadaires à LED",
    "Cybersécurité des collectivités ; cybersecurite des mairies",
    "Construction de logements sociaux (HLM) et réhabilitation de l'habitat indigne",
    "Révision du PLU, élaboration du PLUi et du SCoT intercommunal",
    "Bibliothèques, médiathèques et lecture publique ; bibliotheque",
    "Désimperméabilisation des cours d'école et végétalisation des îlots de chaleur",
    "Maisons de santé pluriprofessionnelles, EHPAD et accueil de loisirs (ALSH)",
    "Bâtiments communaux : isolation thermique, chaufferies biomasse, réseaux de chaleur",
    "Œuvres d'art, cœur de ville et centre-bourg ; tiers-lieux numériques",
    "Pistes cyclables, vélos à assistance électrique et covoiturage rural",
    "Stations d'épuration, assainissement non collectif et eaux pluviales",
]


@pytest.fixture(scope="module")
def es_index(elasticsearch_url):
    definition = index_definition()
    name = f"test-analysis-{uuid.uuid4().hex[:12]}"
    with Elasticsearch(elasticsearch_url) as client:
        client.indices.create(index=name, settings=definition["settings"], mappings=definition["mappings"])
        try:
            yield client, name
        finally:
            client.indices.delete(index=name)


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_terms_on_both_backends(es_index, text):
    client, name = es_index
    tokens = client.indices.analyze(index=name, analyzer="french_index", text=text)["tokens"]
    assert [token["token"] for token in tokens] == analyse(text)


def test_the_stemmer_is_snowball_french():
    assert analyse("rénovation énergétique des bâtiments") == ["renov", "energet", "bat"]
    assert analyse("éclairages") == analyse("eclairage") == ["eclairag"]
