"""A pytest plugin for `course check`: a failed `==` shows both sides in full, labelled.

`course check` loads it (`-p course.exercise_plugin`) in the exercise's own pytest run. The
exercises' tests put the learner's value on the left and the expected one on the right, as
pytest's own examples do, so the two lines read "your code gave" and "expected".
"""

from __future__ import annotations

GAVE = "your code gave: "
EXPECTED = "expected:       "  # as wide as GAVE, so the two values line up
LONGEST_VALUE = 400  # characters of a value's repr shown; a learner reads it on one line


def shown(value: object, limit: int = LONGEST_VALUE) -> str:
    """The value's repr on one line, shortened in the middle when it is very long."""
    try:
        text = repr(value)
    except Exception as error:  # a learner's object may have a broken __repr__
        text = f"<{type(value).__name__} whose repr() raised {type(error).__name__}>"
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def pytest_assertrepr_compare(config, op: str, left: object, right: object) -> list[str] | None:
    """Explain a failed `left == right` as the two values; other comparisons as pytest does."""
    if op != "==":
        return None
    return [
        f"{shown(left, 60)} == {shown(right, 60)}",
        f"{GAVE}{shown(left)}",
        f"{EXPECTED}{shown(right)}",
    ]
