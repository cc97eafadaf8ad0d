"""Cleanup: a dry run deletes nothing, old files go, symlinks and their targets survive."""

import os

import files_cleanup
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


def test_folder_size_counts_a_hard_linked_file_once(tmp_path):
    scratch, _ = make_scratch(tmp_path)
    os.link(scratch / "old.log", scratch / "same-file.log")

    assert folder_size(scratch) == 30


def test_folder_size_on_disk_counts_allocated_blocks_not_the_apparent_size(tmp_path):
    sparse = tmp_path / "sparse.bin"
    with open(sparse, "wb") as file:
        file.truncate(10 * 1024 * 1024)  # 10 MiB long, no block written

    assert folder_size(tmp_path) == 10 * 1024 * 1024
    assert folder_size(tmp_path, on_disk=True) < 1024 * 1024


def swapping_walk(real_walk, swap):
    """A directory walk that swaps a folder for a symlink just after listing it."""

    def walk(top, *args, **kwargs):
        for entry in real_walk(top, *args, **kwargs):
            if str(entry[0]).endswith("nested"):
                swap()
            yield entry

    return walk


def test_a_folder_swapped_for_a_symlink_during_the_cleanup_is_not_followed(tmp_path, monkeypatch):
    scratch, _ = make_scratch(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "old.bin").write_bytes(b"must survive")
    age(victim / "old.bin", 100)

    def swap():  # the attacker: nested/ becomes a link to victim/, under the cleaner's feet
        (scratch / "nested").rename(tmp_path / "moved")
        (scratch / "nested").symlink_to(victim, target_is_directory=True)

    monkeypatch.setattr(files_cleanup.os, "walk", swapping_walk(os.walk, swap))
    monkeypatch.setattr(files_cleanup.os, "fwalk", swapping_walk(os.fwalk, swap))

    delete_old_files(scratch, 30 * DAY, dry_run=False, now=NOW)

    assert (victim / "old.bin").read_bytes() == b"must survive"
