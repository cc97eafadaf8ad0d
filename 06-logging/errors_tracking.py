"""Error tracking with the Sentry SDK, on a transport that keeps events in memory (no network).

Running it initialises the SDK with `CapturingTransport`, sends a request that fails to the
lesson's app, and prints the event Sentry would have received: the exception, the request id
as a tag, the breadcrumbs (the request's earlier log lines), and secrets masked by
`before_send`. Production passes a real DSN and no transport; the rest is the same.
"""

from __future__ import annotations

import logging
from typing import Any

import sentry_sdk
from logging_redact import redact_value
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
from sentry_sdk.transport import Transport

# Sentry's own denylist (auth, credentials, session, x_api_key, csrf names...) plus ours; it
# masks request data, breadcrumbs and every frame's local variables by name
DENYLIST = [*DEFAULT_DENYLIST, "access_token", "refresh_token", "client_secret", "card_number"]

# a well-formed DSN that can never be reached: the transport below never sends anything
OFFLINE_DSN = "https://public@o0.ingest.sentry.invalid/0"


class CapturingTransport(Transport):
    """Keep every envelope in memory instead of sending it: for tests and demos."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        """Return the error events captured so far, as the JSON Sentry would receive."""
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == "event" and item.payload.json is not None
        ]


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Mask secrets anywhere in an event (messages, exception values, frame variables)."""
    return redact_value(event)


def init_error_tracking(transport: Transport | None, dsn: str = OFFLINE_DSN) -> None:
    """Start the SDK: log lines become breadcrumbs, errors are sent scrubbed, no user data."""
    sentry_sdk.init(
        dsn=dsn,
        transport=transport,
        # only what is asked for: no integration that patches frameworks behind our back
        default_integrations=False,
        auto_enabling_integrations=False,
        # INFO and up become breadcrumbs; events are sent explicitly, not per ERROR line
        integrations=[LoggingIntegration(level=logging.INFO, event_level=None)],
        # the defaults collect no user identity, cookies or bodies; passing `data_collection=`
        # would switch the SDK's own scrubber off, so it is left out and the scrubber kept
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub_event,  # runs after the scrubber: masks secrets in free text too
    )


def stop_error_tracking() -> None:
    """Replace the client by one with no DSN, which sends nothing."""
    sentry_sdk.init(dsn=None, default_integrations=False, auto_enabling_integrations=False)


def main() -> None:
    import io
    import json
    import secrets

    from errors_faults import FaultyUpstream
    from fastapi.testclient import TestClient
    from logging_app import create_app
    from logging_shop import close_shop, make_shop
    from logging_structured import json_handler

    import course

    settings = course.require("postgres", "redis")
    root = logging.getLogger()
    root.addHandler(json_handler(io.StringIO()))  # the log lines are not this demo's subject
    root.setLevel(logging.INFO)
    transport = CapturingTransport()
    init_error_tracking(transport)
    with FaultyUpstream() as upstream:
        shop = make_shop(
            settings.database_url,
            settings.redis_url,
            upstream.url,
            table=f"obs_products_{secrets.token_hex(4)}",
        )
        response = TestClient(create_app(shop)).get("/boom")
        close_shop(shop)
    stop_error_tracking()
    [event] = transport.events()
    exception = event["exception"]["values"][-1]
    print(f"1. The client got {response.status_code} {response.json()}")
    print(f"2. Sentry's event: {exception['type']}: {exception['value']}")
    print(f"   tags: {event['tags']}")
    crumbs = [crumb.get("message") for crumb in event.get("breadcrumbs", {}).get("values", [])]
    print(f"   breadcrumbs: {crumbs}")
    print(f"3. The secret is nowhere in the event: {'tok_live_123' not in json.dumps(event)}")
    print("Conclusion: the tracker groups errors and keeps their context; the request id tag")
    print("leads from the event to the log lines; before_send keeps secrets out of it.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
