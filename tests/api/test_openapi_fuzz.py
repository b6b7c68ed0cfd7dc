"""Property-based tests against the app's own OpenAPI document (schemathesis).

Every operation is called with generated input, signed in as each role that reaches
different code (company, researcher, agency, officer, admin): no response is a 5xx and
every response conforms to the schema documented for its status. The example count is kept
modest so that the suite stays fast; both databases run it.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import CapabilityFactory, ChallengeFactory, ProgrammeFactory


@pytest.fixture
def api_schema(app):
    return schemathesis.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.from_pytest_fixture("api_schema")


@pytest.fixture
def seeded(db, users):
    ChallengeFactory(author=users["company"])
    CapabilityFactory(owner=users["researcher"])
    ProgrammeFactory(owner=users["agency"])
    db.session.commit()
    return users


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_documented_responses(case, seeded, auth):
    for who in ("company", "researcher", "agency", "officer", "admin"):
        response = case.call_wsgi(headers=auth(seeded[who]))
        case.validate_response(
            response,
            checks=(
                not_a_server_error,
                response_schema_conformance,
                content_type_conformance,
                status_code_conformance,
            ),
        )
