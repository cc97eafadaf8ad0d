"""Checks for ex02: `course check 02 ex02` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def root(tmp_path):
    storage = tmp_path / "storage"
    (storage / "reports").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (storage / "shared").symlink_to(tmp_path / "outside", target_is_directory=True)
    return storage


@pytest.mark.parametrize("user_path", ["reports/q1.csv", "new.txt", "a/../b.txt"])
def test_paths_inside_the_root_are_returned_resolved(root, user_path):
    found = task.contained_path(root, user_path)
    assert found == (root / user_path).resolve(), f"{user_path!r} should resolve inside root"


@pytest.mark.parametrize(
    "user_path",
    ["../outside/x", "reports/../../outside/x", "shared/x", "ABSOLUTE"],
)
def test_paths_that_leave_the_root_raise_value_error(root, user_path):
    if user_path == "ABSOLUTE":
        user_path = str(root.parent / "outside" / "x")
    with pytest.raises(ValueError):
        task.contained_path(root, user_path)
