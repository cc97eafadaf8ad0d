"""Redaction: a logging filter that masks secrets before any handler writes them.

Running it logs a login with a password, a request with an `Authorization` header, a payment
with a card number and an API token inside a message, and prints each line as it reaches the
output: every secret is masked, the rest is kept. A filter on the *handler* sees every record,
whichever logger it came from (a logger's own filter would miss its children's records).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

MASK = "[REDACTED]"

# field names whose values are secret wherever they appear (compared lower-case)
SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "access_token",
        "refresh_token",
        "api_key",
        "apikey",
        "authorization",
        "cookie",
        "set-cookie",
        "card_number",
        "cvv",
        "client_secret",
    }
)

SECRET_PATTERNS = [
    # `password=hunter2`, `token: abc`, `"api_key": "abc"` inside free text
    re.compile(r"(?i)\b(password|passwd|secret|token|api_key|apikey)(\"?\s*[=:]\s*\"?)[^\s\",;&]+"),
    # `Authorization: Bearer eyJ...` and bare bearer tokens
    re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"),
    # card numbers: 13 to 19 digits, optionally split by spaces or dashes
    re.compile(r"\b()()(?:\d[ -]?){12,18}\d\b"),
]


def redact_text(text: str) -> str:
    """Mask every secret that a pattern recognises in free text."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", text)
    return text


def redact_value(value: Any, key: str = "") -> Any:
    """Mask a value if its key is secret; walk into dicts, lists and strings."""
    if key.lower() in SECRET_KEYS:
        return MASK
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item) for item in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


# the attributes every LogRecord has; anything else came from `extra=` and is checked
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Mask secrets in a record's message, its arguments and its `extra` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        # render the message once, mask it, and drop the args: a later formatter cannot
        # reintroduce a secret from an argument
        record.msg = redact_text(record.getMessage())
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES:
                setattr(record, name, redact_value(value, name))
        if record.exc_info and record.exc_info[1] is not None:
            # an exception's text can hold a secret too ("invalid token abc..."): format it
            # now, masked, and drop exc_info so that no formatter renders the raw one again
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


def main() -> None:
    from logging_structured import json_handler

    logger = logging.getLogger("shop.auth")
    logger.addHandler(json_handler())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    print("1. A login with a password in `extra` and one in the message:")
    logger.info("login for %s with password=%s", "ada", "hunter2", extra={"password": "hunter2"})
    print("2. Request headers with an Authorization header and a cookie:")
    headers = {
        "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "Cookie": "session=abc",
        "Accept": "application/json",
    }
    logger.info("request received", extra={"headers": headers})
    print("3. A card number and an API token inside free text:")
    logger.info("paid with card 4111 1111 1111 1111, api_key=sk_live_51Hxyz")
    print("Conclusion: one filter on the handler masks secrets by key and by pattern; the")
    print("tests log every kind of secret and search the output for each one.")


if __name__ == "__main__":
    main()
