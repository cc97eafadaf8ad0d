"""Sentry events, captured in memory: the request id as a tag, breadcrumbs, no secrets."""

import json
import secrets

import pytest
from errors_faults import FaultyUpstream
from errors_tracking import CapturingTransport, init_error_tracking, stop_error_tracking
from fastapi.testclient import TestClient
from logging_app import create_app
from logging_shop import close_shop, make_shop


@pytest.fixture
def tracked_client(shop_database_url, redis_url, json_lines):
    transport = CapturingTransport()
    init_error_tracking(transport)
    with FaultyUpstream() as upstream:
        shop = make_shop(
            shop_database_url, redis_url, upstream.url, table=f"products_{secrets.token_hex(3)}"
        )
        shop.create_schema()
        yield TestClient(create_app(shop)), transport
        close_shop(shop)
    stop_error_tracking()


def test_an_unhandled_error_is_one_event_tagged_with_the_request_id(tracked_client):
    client, transport = tracked_client
    response = client.get("/boom")
    [event] = transport.events()
    assert event["tags"]["request_id"] == response.headers["x-request-id"]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    crumbs = [crumb["message"] for crumb in event["breadcrumbs"]["values"]]
    assert crumbs == ["building the report", "unhandled error"]


def test_no_secret_reaches_the_event(tracked_client):
    client, transport = tracked_client
    client.get("/boom", headers={"Authorization": "Bearer sk-event-secret"})
    dumped = json.dumps(transport.events())
    assert "tok_live_123" not in dumped and "sk-event-secret" not in dumped
    assert "[REDACTED]" in dumped


def test_each_request_has_its_own_breadcrumbs_and_handled_errors_send_nothing(tracked_client):
    client, transport = tracked_client
    client.get("/products/NOPE")  # a 404: a domain error, handled, not an event
    client.get("/boom")
    client.get("/boom")
    events = transport.events()
    assert len(events) == 2
    for event in events:
        messages = [crumb["message"] for crumb in event["breadcrumbs"]["values"]]
        assert messages == ["building the report", "unhandled error"], "no other request's"


def test_secrets_in_frame_variables_are_scrubbed_by_the_sdks_own_denylist(tracked_client):
    import sentry_sdk

    def fail() -> None:
        # built at run time, so the source lines Sentry attaches do not hold them
        # names only Sentry's default denylist knows, not the lesson's redact_value
        mysql_pwd, csrf = "SEKRET" + "-DBPW", "SEKRET" + "-CSRF"
        raise ValueError(f"failed with {len(mysql_pwd + csrf)} characters")

    _, transport = tracked_client
    try:
        fail()
    except ValueError as error:
        sentry_sdk.capture_exception(error)
    [event] = transport.events()
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    local = next(frame["vars"] for frame in frames if frame["function"] == "fail")
    assert "SEKRET" not in json.dumps(local), local
