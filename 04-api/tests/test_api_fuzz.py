"""Property-based fuzzing: requests generated from one OpenAPI schema, to both apps; no 5xx.

The schema is FastAPI's own `/openapi.json`, built from the pydantic models both apps validate
with. Flask generates none, and it needs none: the contract is one, so the same schema drives
both apps (a second schema generated for Flask could drift from the first and hide exactly the
differences the contract suite exists to catch). Schemathesis turns each operation into many
requests, valid and deliberately invalid (wrong types, missing fields, odd headers), and checks
only that no answer is a server error; the contract suite checks the rest.
"""

from __future__ import annotations

import httpx2
import pytest
import schemathesis
from api_fastapi import openapi_schema
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

# a bounded run: enough to cross every operation's edges, small enough for `make test`
EXAMPLES = 12


# the one schema, FastAPI's, for both apps (building it connects to nothing)
schema = schemathesis.openapi.from_dict(openapi_schema())


@pytest.fixture
def fuzzed(make_client, tmp_path) -> httpx2.Client:
    """The app under test, with a limit no fuzzing run reaches (429s would hide the handlers)."""
    return make_client(rate_limit=1_000_000, covers_dir=tmp_path)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared 2-core machine: timing is not what this test is about
    derandomize=True,  # the same examples every run, so a failure reproduces
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_gets_a_server_error(case, fuzzed):
    response = fuzzed.request(**httpx_kwargs(case))
    case.validate_response(response, checks=[not_a_server_error])


def httpx_kwargs(case) -> dict:
    """The case as `httpx2.Client.request` arguments (Schemathesis prepares them for requests)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    request = {key: kwargs[key] for key in ("method", "url", "headers", "params") if key in kwargs}
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        request["content"] = kwargs["data"]
    return request
