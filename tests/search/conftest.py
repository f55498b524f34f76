import pytest

from tests.search.backends import BACKENDS, backend_config, cleanup


@pytest.fixture(params=BACKENDS)
def backend_name(request):
    return request.param


@pytest.fixture
def app_config(app_config, backend_name, request, tmp_path):
    """The shared app config, on the backend this test runs against."""
    return {**app_config, **backend_config(backend_name, request, tmp_path)}


@pytest.fixture
def app(app, backend_name):
    yield app
    cleanup(app)
