"""A path checked is not a path opened: open_beneath refuses a symlink swapped in later."""

import os
import stat

import pytest
from files_beneath import create_inside, open_beneath
from files_safe_paths import UnsafePath, resolve_inside


@pytest.fixture
def storage(tmp_path):
    """A storage root with a folder `shared`, and a folder outside it."""
    (tmp_path / "storage" / "shared").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return tmp_path / "storage"


def swap_for_a_symlink_out(storage, tmp_path):
    (storage / "shared").rmdir()
    (storage / "shared").symlink_to(tmp_path / "outside")


def test_the_checked_path_written_after_a_swap_lands_outside(storage, tmp_path):
    checked = resolve_inside(storage, "shared/report.txt")
    swap_for_a_symlink_out(storage, tmp_path)

    checked.write_bytes(b"oops")  # THE WRONG WAY: the check was true only when it was made

    assert os.listdir(tmp_path / "outside") == ["report.txt"]


def test_a_folder_swapped_for_a_symlink_after_the_check_is_refused(storage, tmp_path):
    relative = resolve_inside(storage, "shared/report.txt").relative_to(storage.resolve())
    swap_for_a_symlink_out(storage, tmp_path)

    with pytest.raises(UnsafePath, match="'shared' is a symbolic link"):
        open_beneath(storage, relative.as_posix())
    assert os.listdir(tmp_path / "outside") == []


def test_a_symlink_in_place_of_the_file_is_refused(storage, tmp_path):
    (storage / "shared" / "report.txt").symlink_to(tmp_path / "outside" / "report.txt")

    with pytest.raises((UnsafePath, FileExistsError)):
        open_beneath(storage, "shared/report.txt")
    assert os.listdir(tmp_path / "outside") == []


def test_create_inside_makes_missing_folders_and_a_private_file(storage):
    create_inside(storage, "new/deep/report.txt", b"data")

    created = storage / "new" / "deep" / "report.txt"
    assert created.read_bytes() == b"data"
    assert stat.S_IMODE(created.stat().st_mode) == 0o600


@pytest.mark.parametrize("relative", ["../outside/x", "/etc/passwd", ""])
def test_open_beneath_takes_only_plain_relative_paths(storage, relative):
    with pytest.raises(UnsafePath, match="not a plain relative path"):
        open_beneath(storage, relative)
