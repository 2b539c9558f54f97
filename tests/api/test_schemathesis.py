"""Schemathesis against the API's own OpenAPI document, through the WSGI app with a
token of the municipality: no operation answers a server error for any input the
document allows (bounded). Cases are drawn with Hypothesis directly: schemathesis'
pytest plugin does not run under this pytest."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.api.conftest import citizen_comment, token_for


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request through the WSGI app would otherwise close
    the test's database connection when it finishes (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_a_server_error(world, settings):
    settings.API_RATE_PER_MINUTE = 1_000_000
    citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    bearer = {"Authorization": f"Bearer {token_for(world.p.communications, world.municipality)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    cases = st.one_of([operation.as_strategy() for operation in operations])
    seen: set[str] = set()

    @given(case=cases)
    @hypothesis_settings(
        max_examples=300,
        deadline=None,
        database=None,
        derandomize=True,  # the same draw in every CI run: a failure there is reproducible
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        if "slug" in (case.path_parameters or {}):
            case.path_parameters["slug"] = "apiby"  # past the 404, into the operations
        response = case.call(headers=bearer)
        seen.add(f"{case.method} {case.path}")
        failure = (case.method, case.formatted_path, case.body, response.text[:300])
        assert response.status_code < 500, failure

    run()
    assert len(seen) >= 15  # the draw reached most operations
