"""Checks for the sample exercise: `course check` runs them against the task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.mark.parametrize(
    ("name", "expected"), [("Ada", "Hello, Ada!"), (" Linus ", "Hello, Linus!")]
)
def test_greet_names_the_learner(name, expected):
    greeting = task.greet(name)
    assert greeting == expected, f"greet({name!r}) should be {expected!r}, not {greeting!r}"


@pytest.mark.parametrize("name", ["", "   "])
def test_greet_without_a_name_greets_the_world(name):
    greeting = task.greet(name)
    assert greeting == "Hello, world!", f"greet({name!r}) should greet the world"
