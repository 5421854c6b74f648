"""The API does what its OpenAPI document says, checked by schemathesis in-process: requests
generated from the document (bounded examples), both those it allows (which must be accepted)
and those it forbids (which must be refused), against the app on the test database, every answer
checked against the document (status codes, bodies, content types). Runs on both databases."""
from hypothesis import HealthCheck, given, settings

import schemathesis
from portfolio.accounts.models import Role
from tests.factories import api_token

EXAMPLES = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def test_the_api_agrees_with_its_document(app, seeded, make_user, in_app):
    username = make_user("schema-reader", Role.CITY)
    token = in_app(lambda s: (api_token(s, username), s.commit())[0])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(mode))
            @EXAMPLES
            def check(case):
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

            try:
                check()
            except (Exception, BaseExceptionGroup) as failure:  # collected, then reported all together
                failures[f"{operation.label} ({mode.value})"] = str(failure)[:1500]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
