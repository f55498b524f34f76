"""Schema-driven requests against the API's own OpenAPI document (issue 12, point 7).

Schemathesis reads ``/api/v1/openapi.json`` from the app (SQLite store and index, a few
programmes) and generates valid and invalid requests for every operation, a bounded and
seeded number: none may be a server error, every answer must conform to the document
(status, content type, schema), and every refusal is a French JSON error.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

# Per operation: six operations, a few hundred requests in all, the same ones every run.
EXAMPLES = 60
# What werkzeug says in English when a view lets an error through untranslated.
ENGLISH_DEFAULTS = ("The browser", "The server", "The requested URL", "Bad Request", "Not Found", "Internal")


@pytest.fixture
def api_schema(app, make_programme, tmp_path_factory):
    # Hypothesis keeps its files (Unicode tables) out of the checkout.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(str(tmp_path_factory.mktemp("hypothesis")))
    make_programme(title="Plan vélo des communes", themes=["mobilite"], deadlines=["2099-03-31"])
    make_programme(title="Rénovation énergétique des écoles", population_max=3500)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _french_refusal(response, case) -> None:
    if 400 <= response.status_code < 500:
        payload = response.json()
        message = payload["error"]["message"]
        assert message and not message.startswith(ENGLISH_DEFAULTS), (case.path, case.query, message)


def test_the_api_holds_against_its_own_openapi_document(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {"/programmes", "/programmes/{id}", "/communes",
                                                            "/themes"}
    seen = {"requests": 0, "refused": 0}
    for operation in operations:
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)
               | operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))
        def run(case):
            # The WSGI transport does not decompress: ask for the answer as it is (an HTTP
            # client would undo the brotli/gzip the service applies).
            response = case.call(headers={"Accept-Encoding": "identity"})
            seen["requests"] += 1
            seen["refused"] += 400 <= response.status_code < 500
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                     content_type_conformance, response_schema_conformance])
            _french_refusal(response, case)

        run()
    # Bounded, and really exercised: requests went through, and invalid ones were refused.
    assert len(operations) * 10 <= seen["requests"] <= len(operations) * EXAMPLES
    assert seen["refused"] > 0
