"""Checks for ex01: `course check 02 ex01` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def tree(tmp_path):
    for relative, size in {
        "a.txt": 10,
        "logs/2024/app.log": 500,
        "logs/2024/db.log": 300,
        "logs/old.log": 300,
        "empty.txt": 0,
    }.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    return tmp_path


def test_the_largest_files_come_first_with_relative_paths(tree):
    found = task.largest_files(tree, 3)
    expected = [("logs/2024/app.log", 500), ("logs/2024/db.log", 300), ("logs/old.log", 300)]
    assert [tuple(pair) for pair in found] == expected, (
        "expected the three largest, ties in path order"
    )


def test_folders_and_symlinks_are_skipped(tree, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "huge.bin"
    outside.write_bytes(b"x" * 10_000)
    (tree / "link-to-huge").symlink_to(outside)
    (tree / "link-to-folder").symlink_to(outside.parent, target_is_directory=True)

    names = [name for name, _ in task.largest_files(tree, 10)]

    assert not any(name.startswith("link-to") for name in names), (
        f"symlinks must be skipped, got {names}"
    )
    assert names[-1] == "empty.txt" and len(names) == 5, f"expected the 5 regular files: {names}"


def test_asking_for_more_than_there_are_returns_them_all(tmp_path):
    (tmp_path / "only.txt").write_bytes(b"abc")
    assert [tuple(pair) for pair in task.largest_files(tmp_path, 5)] == [("only.txt", 3)]
