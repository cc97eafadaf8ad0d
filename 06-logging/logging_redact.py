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

# a field is secret if its name, lower-cased with `-` read as `_`, contains one of these:
# `x-api-key`, `X-Auth-Token`, `client_secret` and `session_id` are all caught
SECRET_KEY = re.compile(
    r"passw|secret|token|api_?key|authori[sz]ation|^auth$|^auth_|_auth|cookie|session"
    r"|credential|private_key|card_number|cvv"
)

# the same names inside free text: `password=x`, `?access_token=x`, `'password': 'x'` (a dict's
# repr), `"api_key": "x"`, `X-Api-Key: x`, `Authorization: Token x`; the name may carry a prefix
_TEXT_KEY = r"[\w-]*(?:passw(?:or)?d|secret|token|api[_-]?key|auth|authori[sz]ation|cookie|session)"
_TEXT_VALUE = r"(?:(?:bearer|basic|token|digest)\s+)?[^\s'\",;&}]+"
SECRET_PATTERNS = [
    re.compile(rf"(?i)(?<![\w-])({_TEXT_KEY})(['\"]?\s*[=:]\s*['\"]?){_TEXT_VALUE}"),
    # a bare `Bearer eyJ...` or `Basic dXNlcjpwdw==`, wherever it is
    re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"),
    # a JSON Web Token on its own: three base64url parts, the first always starts `eyJ`
    re.compile(r"()()\beyJ[\w-]+\.[\w-]+\.[\w-]*"),
]

# a card number candidate: 13 to 19 digits, optionally split by single spaces or dashes
CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def luhn_valid(digits: str) -> bool:
    """Return True if a digit string passes the Luhn checksum every card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _mask_cards(match: re.Match[str]) -> str:
    """Mask every card number inside a run of digits, trying each 13-19 digit window."""
    text = match.group()
    places = [index for index, char in enumerate(text) if char.isdigit()]
    digits = "".join(text[index] for index in places)
    start = 0
    while start <= len(digits) - 13:
        # cards start with 2-6 (banking and travel issuers); a millisecond timestamp with 1
        for length in range(min(19, len(digits) - start), 12, -1):
            window = digits[start : start + length]
            if window[0] in "23456" and luhn_valid(window):
                end = places[start + length - 1] + 1
                return text[: places[start]] + MASK + _mask_cards_in(text[end:])
        start += 1
    return text


def _mask_cards_in(text: str) -> str:
    return CARD_CANDIDATE.sub(_mask_cards, text)


def redact_text(text: str) -> str:
    """Mask every secret that a pattern recognises in free text."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", text)
    return _mask_cards_in(text)


def is_secret_key(key: str) -> bool:
    """Return True if a field with this name holds a secret."""
    return SECRET_KEY.search(key.lower().replace("-", "_")) is not None


def redact_value(value: Any, key: str = "") -> Any:
    """Mask a value if its key is secret; walk dicts, lists, (name, value) pairs and text."""
    if key and is_secret_key(key):
        return MASK
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if len(value) == 2 and isinstance(value[0], str | bytes):
            # a header as a pair, as `request.headers.raw` and httpx give them
            name = value[0].decode("latin-1") if isinstance(value[0], bytes) else value[0]
            return type(value)((value[0], redact_value(value[1], name)))
        return type(value)(redact_value(item) for item in value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"))
    if isinstance(value, str):
        return redact_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    # any other object is written with str() by the JSON formatter: mask that text now
    return redact_text(safe_str(value))


def safe_str(value: Any) -> str:
    """Return str(value), or a placeholder if the object cannot describe itself."""
    try:
        return str(value)
    except Exception as error:  # a broken __str__ must not break logging
        return f"<unprintable {type(value).__name__}: {type(error).__name__}>"


# the attributes every LogRecord has; anything else came from `extra=` and is checked
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Mask secrets in a record's message, its arguments and its `extra` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        # render the message once, mask it, and drop the args: a later formatter cannot
        # reintroduce a secret from an argument
        try:
            record.msg = redact_text(record.getMessage())
        except Exception as error:  # a filter that raises breaks the caller
            # a bad call (`"%s %s" % (1,)`, an argument whose str() raises): let the
            # handler's emit() meet the error, so its handleError() reports or counts it
            record.msg = _Unformattable(redact_text(safe_str(record.msg)), error)
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


class _Unformattable:
    """A message that failed to format: str() raises the error again, repr() is masked text."""

    def __init__(self, template: str, error: Exception) -> None:
        self.template, self.error = template, error

    def __str__(self) -> str:
        raise self.error

    def __repr__(self) -> str:
        return repr(self.template)


def main() -> None:
    from logging_structured import json_handler

    logger = logging.getLogger("shop.auth")
    logger.addHandler(json_handler())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    print("1. A login with a password in `extra` and one in the message:")
    logger.info("login for %s with password=%s", "ada", "hunter2", extra={"password": "hunter2"})  # nosec B105  # a fake secret the filter masks
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
    import course

    course.script_arguments()
    main()
