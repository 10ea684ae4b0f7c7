"""Schemathesis generates requests from our OpenAPI document: none may answer 5xx, every
status answered is documented on its operation, and every error has the documented shape.

(Its pytest plugin does not load under pytest 9, so the operations are driven by hand with
Hypothesis.)
"""

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 15


def test_no_generated_request_gets_a_server_error(app, demo, make_staff, make_token):
    make_staff("root@example.org", role="admin")
    headers = {"Authorization": f"Bearer {make_token('root@example.org')}"}
    app.state.settings.booking_rate_limit_per_minute = 10_000
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        _fuzz(operation, headers)


def _fuzz(operation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        response = case.call(headers=headers)
        where = (case.method, case.formatted_path, response.status_code, response.text[:300])
        assert response.status_code < 500, where
        assert str(response.status_code) in operation.definition.raw["responses"], where
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body["detail"], str), where
            assert isinstance(body["code"], str), where
            if response.status_code == 422:
                assert isinstance(body["fields"], dict), where
                assert isinstance(body["errors"], list), where

    check()
