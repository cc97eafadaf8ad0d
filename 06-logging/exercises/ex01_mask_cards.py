"""Mask card numbers in a log message, keeping the last four digits: what a redacting filter does.

Write `mask_card_numbers(text)`. It finds every card number in `text` and replaces it with
`****` followed by the number's last four digits (`"paid with 4111 1111 1111 1111"` becomes
`"paid with ****1111"`). A card number is 13 to 19 digits, which may be split by single spaces
or dashes, and which passes the Luhn check (the checksum every real card number has). Digit
runs that fail the Luhn check, such as order numbers, are left alone. A card may be followed
by other digits (`"ids 4111111111111111 123"`): the pattern matches the longest run, so when
the whole run fails the check, try its shorter parts (each start, each end) before giving up,
and keep what is around the card. Everything else in the text is kept as it was.

`logging_redact.py` masks card numbers by pattern alone; this one also checks the checksum.

Check your work with `.venv/bin/course check 06 ex01`; a hint: `.venv/bin/course hint 06 ex01`.
"""

from __future__ import annotations

import re

CANDIDATE = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn checksum."""
    # TODO: from the rightmost digit, double every second digit (subtract 9 if it is over 9),
    # add everything up; the number is valid when the sum is a multiple of 10
    raise NotImplementedError("TODO: the Luhn check")


def mask_card_numbers(text: str) -> str:
    """Replace each card number in text by **** and its last four digits."""
    # TODO: CANDIDATE.sub with a function that tries the run and its shorter parts (strip
    # spaces and dashes, 13 to 19 digits, luhn_valid) and masks the first part that passes
    raise NotImplementedError("TODO: mask the card numbers")
