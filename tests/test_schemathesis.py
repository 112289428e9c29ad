"""The REST API fuzzed from its own OpenAPI spec (schemathesis): for every operation,
valid and invalid requests — each sent as an administrator and as a township clerk,
signed with a token — and not one server error. Skipped when schemathesis is not
installed. Generating a request from the spec costs more than answering it, so each
generated request is sent once per account."""

import pytest

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from tests.clients import api_token  # noqa: E402

EXAMPLES = 8  # per operation and mode, each sent by both accounts: ~2,500 requests
ACCOUNTS = ("admin", "clerkA")


def test_no_operation_answers_a_server_error(world, db_app):
    signed = {username: {"Authorization": f"Bearer {api_token(db_app, username)}"}
              for username in ACCOUNTS}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", db_app,
                                            headers=signed["admin"])
    failures, calls = [], [0]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    def fuzzer(operation, mode):
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case):
            for username, headers in signed.items():
                response = case.call(headers=headers)
                calls[0] += 1
                if response.status_code >= 500:
                    failures.append((operation.label, mode.value, username,
                                     response.status_code, case.path_parameters,
                                     case.query, case.body))
                assert b"Traceback" not in response.content  # an .xlsx export is binary

        return fuzz

    for operation in operations:
        for mode in GenerationMode:
            fuzzer(operation, mode)()
    assert not failures, (sorted({f[:3] for f in failures}), failures[:5])
    assert calls[0] > len(operations) * len(ACCOUNTS)
