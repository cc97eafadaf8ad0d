"""Checks for ex06: `.venv/bin/course check 04 ex06` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.mark.parametrize(("cores", "expected"), [(1, 3), (2, 5), (4, 9), (8, 12), (64, 12)])
def test_without_the_variable_it_is_two_per_core_plus_one_at_most_twelve(cores, expected):
    assert task.worker_count({}, cores) == expected


def test_an_unknown_core_count_counts_as_one_core():
    assert task.worker_count({}, None) == 3  # os.cpu_count() returns None when it cannot tell


def test_an_empty_variable_counts_as_unset():
    assert task.worker_count({"WEB_CONCURRENCY": ""}, 2) == 5


@pytest.mark.parametrize("value", ["1", "3", " 7 ", "64"])
def test_the_variable_wins_over_the_guess(value):
    assert task.worker_count({"WEB_CONCURRENCY": value}, 2) == int(value)


@pytest.mark.parametrize("value", ["0", "65", "-2", "lots", "2.5"])
def test_a_bad_value_is_refused_in_one_line_naming_the_variable(value):
    with pytest.raises(ValueError) as caught:
        task.worker_count({"WEB_CONCURRENCY": value}, 2)
    message = str(caught.value)
    assert message == f"WEB_CONCURRENCY must be a whole number from 1 to 64, got {value!r}"
