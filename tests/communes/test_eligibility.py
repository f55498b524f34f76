"""Town size: ``commune=<INSEE>`` gives the same programmes on every search backend.

A programme matches a commune when its population fits [population_min, population_max], its
geography covers the commune's département/région, and communes (or their groupings, when the
commune belongs to one) are among its beneficiaries (DESIGN.md « Town size »).
"""

import pytest

from tests.communes.helpers import BEAUVAIS, EXPECTED, NEVERS, found, make_eligibility_programmes
from tests.search.backends import BACKENDS, backend_config, cleanup


@pytest.fixture(params=BACKENDS)
def backend_name(request):
    return request.param


@pytest.fixture
def app_config(app_config, backend_name, request, tmp_path):
    return {**app_config, **backend_config(backend_name, request, tmp_path)}


@pytest.fixture
def app(app, backend_name):
    yield app
    cleanup(app)


@pytest.fixture
def programmes(communes, make_programme):
    make_eligibility_programmes(make_programme)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_commune_applies_population_geography_and_beneficiaries(client, programmes, code):
    assert found(client, commune=code) == EXPECTED[code]


def test_without_commune_everything_is_found(client, programmes):
    assert len(found(client)) == 10


def test_commune_combines_with_other_filters(client, programmes):
    assert found(client, commune=BEAUVAIS, beneficiary="epci") == {"epci-seulement"}
    assert found(client, commune=BEAUVAIS, level="regional") == {"hauts-de-france"}
    assert found(client, commune=NEVERS, population="moins-2000") == {"sans-condition", "epci-seulement",
                                                                       "tous-publics", "nievre"}
