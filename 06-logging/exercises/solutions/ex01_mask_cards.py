"""Mask card numbers in a log message, keeping the last four digits: the reference solution."""

from __future__ import annotations

import re

CANDIDATE = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn checksum."""
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(digits)):
        if position % 2 == 1:  # every second digit from the right is doubled
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def mask_card_numbers(text: str) -> str:
    """Replace each card number in text by **** and its last four digits."""

    def mask(match: re.Match[str]) -> str:
        run = match.group()
        # the longest run may hold more than the card: try each part, longest first
        for start in range(len(run)):
            for end in range(len(run), start, -1):
                part = run[start:end]
                digits = re.sub(r"[ -]", "", part)
                whole = part[0].isdigit() and part[-1].isdigit()
                if whole and 13 <= len(digits) <= 19 and luhn_valid(digits):
                    rest = mask_card_numbers(run[end:])
                    return f"{run[:start]}****{digits[-4:]}{rest}"
        return run

    return CANDIDATE.sub(mask, text)
