"""Checks for ex01: `course check 06 ex01` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.mark.parametrize(
    "digits, valid",
    [
        ("4111111111111111", True),
        ("5500000000000004", True),
        ("4111111111111112", False),
        ("79927398713", True),
        ("79927398710", False),
    ],
)
def test_the_luhn_check(digits, valid):
    assert task.luhn_valid(digits) is valid, f"luhn_valid({digits!r}) should be {valid}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("paid with 4111 1111 1111 1111", "paid with ****1111"),
        ("card=5500-0000-0000-0004;", "card=****0004;"),
        ("cards 4012888888881881 and 4111111111111111", "cards ****1881 and ****1111"),
        # more digits right after a card: the run as a whole fails, the card inside it does not
        ("ids 4111111111111111 123", "ids ****1111 123"),
        ("pan 4111-1111-1111-1111-0", "pan ****1111-0"),
    ],
)
def test_card_numbers_are_masked_keeping_the_last_four(text, expected):
    assert task.mask_card_numbers(text) == expected


def test_digit_runs_that_fail_the_checksum_are_kept():
    text = "order 1234567890123 shipped at 2026-12-01"
    assert task.mask_card_numbers(text) == text, "an order number is not a card number"
