"""Checks for ex01: `course check 05 ex01` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)

COMMON = {"password123", "qwertyuiop12", "letmeinletmein"}


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "twelve chars", "é" * 12, "a" * 128],
)
def test_long_enough_uncommon_passwords_are_accepted(password):
    assert task.password_problem(password, "ada@example.com", COMMON) is None


@pytest.mark.parametrize(
    "password",
    ["P@ssw0rd!", "short", "", "a" * 129, "QwertyUiop12", "letmeinletmein",
     "ada@example.com", "ADA@EXAMPLE.COM", "ada.lovelace"],
)  # fmt: skip
def test_short_long_common_and_obvious_passwords_are_refused(password):
    email = "ada.lovelace@example.com" if password == "ada.lovelace" else "ada@example.com"
    problem = task.password_problem(password, email, COMMON)
    assert isinstance(problem, str) and problem, f"{password!r} should be refused, with a reason"


def test_length_is_counted_after_normalisation():
    # "ﬁ" (one ligature character) becomes "fi" under NFKC: 11 ligatures are 22 characters
    assert task.password_problem("ﬁ" * 11, "ada@example.com", COMMON) is None
