"""The Elasticsearch test node answers, is an Elasticsearch 8, and analyses French text."""

from elasticsearch import Elasticsearch

FRENCH_CHAIN = [
    {
        "type": "elision",
        "articles_case": True,
        "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
    },
    "lowercase",
    "asciifolding",
    {"type": "stop", "stopwords": "_french_"},
    {"type": "stemmer", "language": "light_french"},
]


def analyse(client, text, filters):
    response = client.indices.analyze(tokenizer="standard", filter=filters, text=text)
    return [(token["token"], token["position"]) for token in response["tokens"]]


def test_node_is_elasticsearch_8(elasticsearch_url):
    with Elasticsearch(elasticsearch_url) as client:
        assert client.ping()
        assert client.info()["version"]["number"].startswith("8.")
        assert client.cluster.health(wait_for_status="yellow")["status"] in {"green", "yellow"}


def test_node_has_the_french_analysis_components(elasticsearch_url):
    with Elasticsearch(elasticsearch_url) as client:
        tokens = analyse(client, "L’aménagement des Écoles et d'équipements sportifs", FRENCH_CHAIN)
        assert [token for token, _ in tokens] == ["amenag", "ecol", "equip", "sportif"]

        # synonym rules go through the filters before them: "Chaussées" meets "chaussée"
        with_synonyms = [*FRENCH_CHAIN, {"type": "synonym_graph", "synonyms": ["voirie, chaussée, route"]}]
        tokens = analyse(client, "la voirie communale", with_synonyms)
        synonym_position = dict(tokens)["voir"]
        assert {token for token, position in tokens if position == synonym_position} == {"voir", "chaus", "rout"}
        assert ("comunal", synonym_position + 1) in tokens
        assert sorted(analyse(client, "Chaussées", with_synonyms)) == sorted(analyse(client, "voirie", with_synonyms))

        edge = analyse(client, "Rénovation", ["lowercase", "asciifolding", {"type": "edge_ngram", "min_gram": 2, "max_gram": 5}])
        assert [token for token, _ in edge] == ["re", "ren", "reno", "renov"]
