"""schemathesis against the app's own OpenAPI schema: no generated request may cause a 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, embedder, standard_template):
    import shutil

    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(standard_template, data)
    config = make_settings(data, auth="off", workspace="fuzz", rate_limit_per_minute=100_000)
    app = create_app(config, build_assistant(config, embedder=embedder))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
