"""The OpenAPI document against the endpoints (schemathesis): every operation, fed what the schema allows
and some it does not, answers with a status and a body the document declares, and never a server error.
The caller holds a token with every scope."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jobmatch.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():  # type: ignore[no-untyped-def]
    """The WSGI handler closes database connections after each request; Django's test client stops it from
    doing so, and so does this, for the requests schemathesis sends through the WSGI application."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(admin_user):  # type: ignore[no-untyped-def]
    from jobmatch.api_tokens import scopes_for, token_create

    return token_create(user=admin_user, name="schemathesis", scopes=list(scopes_for(admin_user)))[1]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, corpus, admin_token, search_service):  # type: ignore[no-untyped-def]
    excluded = []
    if case.method in ("POST", "PATCH") and case.path.startswith(("/api/v1/postings", "/api/v1/match/file")):
        # Schema-valid and still refused, by rules a schema cannot state: a posting whose maximum pay is below
        # its minimum or whose organisation does not exist (422); a file that is no resume (415). Every
        # other check holds for these too.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, excluded_checks=excluded)
