"""The redacting filter masks secrets in the shapes real code logs them, and only secrets."""

import io
import json
import logging

import pytest
from logging_redact import MASK, luhn_valid, redact_text
from logging_structured import json_handler

logger = logging.getLogger("shop.test.redact")


class User:
    """An object whose str() shows a password, as a careless model's might."""

    def __str__(self) -> str:
        return "User(name='ada', password='pw-in-object')"


# (what the call logs, the secret that must not be written)
SHAPES = {
    "dict in args": (("login %s", {"user": "ada", "password": "pw-dict-arg"}), {}, "pw-dict-arg"),
    "access_token in a url": (("GET /cb?access_token=S1-tok&x=1",), {}, "S1-tok"),
    "client_secret in a url": (("POST /t?client_secret=S2-sec",), {}, "S2-sec"),
    "refresh_token in text": (("refresh_token=S3-ref",), {}, "S3-ref"),
    "x-api-key header": (("req",), {"headers": {"X-Api-Key": "S4-apikey"}}, "S4-apikey"),
    "x-auth-token header": (("req",), {"headers": {"X-Auth-Token": "S5-xauth"}}, "S5-xauth"),
    "header pairs": (("req",), {"raw": [(b"authorization", b"S6-pair")]}, "S6-pair"),
    "authorization token scheme": (("got Authorization: Token S7-drf",), {}, "S7-drf"),
    "bare jwt": (("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.S8sig",), {}, "eyJzdWIiOiIxIn0"),
    "object in extra": (("login",), {"user": User()}, "pw-in-object"),
    "auth field": (("req",), {"auth": "S9-auth"}, "S9-auth"),
}


@pytest.mark.parametrize("args, extra, secret", SHAPES.values(), ids=SHAPES.keys())
def test_secrets_in_everyday_shapes_are_masked(json_lines, args, extra, secret):
    logger.info(*args, extra=extra)
    raw = json_lines.raw()
    assert secret not in raw, f"the secret {secret!r} was written: {raw}"
    assert MASK in raw


def test_an_exception_whose_text_holds_a_dict_with_a_password_is_masked(json_lines):
    try:
        raise ValueError("auth failed for {'password': 'S10-exc'}")
    except ValueError:
        logger.exception("login failed")
    assert "S10-exc" not in json_lines.raw()


def test_timestamps_and_ids_are_kept_and_cards_are_checked_by_luhn():
    assert redact_text("ts 1733054400000") == "ts 1733054400000"  # a time in ms, not a card
    assert redact_text("order 4111111111111112") == "order 4111111111111112"  # fails Luhn
    assert redact_text("ids 4111111111111111 123") == f"ids {MASK} 123"
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert redact_text("the author: Ada") == "the author: Ada"


def test_a_bad_log_call_never_raises_in_the_caller_and_logging_reports_it(capsys):
    # a logger of its own: pytest's capture handlers on the root re-raise logging errors
    buffer = io.StringIO()
    own = logging.getLogger("shop.test.bad_call")
    own.propagate = False
    own.addHandler(json_handler(buffer))
    try:
        secret = "hunter" + "2"  # built at run time: the report quotes the source line
        own.error("%s %s password=%s", secret)  # too few arguments: a bug in the call
        own.error("the next line is written")
    finally:
        own.handlers.clear()
    assert [json.loads(line)["message"] for line in buffer.getvalue().splitlines()] == [
        "the next line is written"
    ]
    report = capsys.readouterr().err
    assert "--- Logging error ---" in report and "TypeError" in report
    assert "hunter2" not in report  # the report shows the masked template, not the arguments
