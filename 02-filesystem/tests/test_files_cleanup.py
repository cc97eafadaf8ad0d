"""Cleanup: a dry run deletes nothing, old files go, symlinks and their targets survive."""

import os

from files_cleanup import delete_old_files, folder_size

DAY = 24 * 60 * 60
NOW = 1_700_000_000.0


def age(path, days):
    os.utime(path, (NOW - days * DAY, NOW - days * DAY), follow_symlinks=False)


def make_scratch(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("outside")
    age(keep, 100)
    scratch = tmp_path / "scratch"
    (scratch / "nested").mkdir(parents=True)
    for name, days in {"old.log": 40, "nested/old.bin": 31, "recent.log": 2}.items():
        (scratch / name).write_bytes(b"x" * 10)
        age(scratch / name, days)
    (scratch / "link").symlink_to(keep)
    age(scratch / "link", 100)
    (scratch / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    return scratch, keep


def test_a_dry_run_lists_old_files_and_deletes_nothing(tmp_path):
    scratch, _ = make_scratch(tmp_path)

    result = delete_old_files(scratch, 30 * DAY, now=NOW)

    assert result.dry_run
    assert [p.relative_to(scratch).as_posix() for p in result.paths] == [
        "old.log",
        "nested/old.bin",
    ]
    assert result.bytes == 20
    assert (scratch / "old.log").exists()


def test_a_real_cleanup_deletes_only_old_regular_files_inside_the_folder(tmp_path):
    scratch, keep = make_scratch(tmp_path)

    delete_old_files(scratch, 30 * DAY, dry_run=False, now=NOW)

    assert sorted(p.name for p in scratch.rglob("*")) == [
        "link",
        "linked-folder",
        "nested",
        "recent.log",
    ]
    assert keep.exists()


def test_folder_size_counts_files_once_and_does_not_follow_links(tmp_path):
    scratch, _ = make_scratch(tmp_path)
    assert folder_size(scratch) == 30
