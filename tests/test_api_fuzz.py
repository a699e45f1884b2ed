"""schemathesis against the app's own OpenAPI schema: no generated request may cause a 500."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 6


def test_no_generated_request_causes_a_server_error(tmp_path, embedder, standard_template):
    data = tmp_path / "data"
    shutil.copytree(standard_template, data)
    config = make_settings(data, auth="off", workspace="fuzz", rate_limit_per_minute=100_000)
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(config, build_assistant(config, embedder=embedder))
    )
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.path} -> {response.status_code}: {response.text[:200]}")

        check()
    assert operations >= 12
    assert failures == []
