"""Watching and cleaning up: find old files by age, delete them safely (dry run first), and
measure how much disk a folder uses.

Running it fills a scratch folder with files of different ages (and a symlink to a file that
must survive), lists what a cleanup would delete without deleting it, then deletes for real.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupResult:
    """What a cleanup found (and, unless it was a dry run, deleted)."""

    paths: list[Path]
    bytes: int
    dry_run: bool


def old_files(root: Path, max_age_seconds: float, now: float | None = None) -> list[Path]:
    """Regular files under root not modified for `max_age_seconds`; symlinks are never followed."""
    return [path for path, _size in walk_old_files(root, max_age_seconds, now, delete=False)]


def walk_old_files(
    root: Path, max_age_seconds: float, now: float | None, *, delete: bool
) -> list[tuple[Path, int]]:
    """Find (and with `delete`, unlink) old regular files; return each path and its size."""
    cutoff = (time.time() if now is None else now) - max_age_seconds
    found = []
    # fwalk hands over each folder as an open descriptor, and every stat and unlink below is
    # relative to it: a folder swapped for a symlink after it was listed cannot redirect them
    # (the race that makes a naive `rm -rf` delete outside its tree)
    for folder, subfolders, names, folder_fd in os.fwalk(root, follow_symlinks=False):
        subfolders.sort()
        for name in sorted(names):
            try:
                # the link itself, never what it points to; checked again just before unlink
                info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff:
                    continue
                if delete:
                    os.unlink(name, dir_fd=folder_fd)
                    logger.info("deleted %s", Path(folder) / name)
            except FileNotFoundError:
                continue  # another cleaner got there first
            found.append((Path(folder) / name, info.st_size))
    return found


def delete_old_files(
    root: Path, max_age_seconds: float, *, dry_run: bool = True, now: float | None = None
) -> CleanupResult:
    """Delete old files under root; by default only report what would go (a dry run)."""
    found = walk_old_files(root, max_age_seconds, now, delete=not dry_run)
    return CleanupResult([path for path, _ in found], sum(size for _, size in found), dry_run)


def folder_size(root: Path, *, on_disk: bool = False) -> int:
    """The bytes of the regular files under root, each hard-linked file once; links not followed.

    By default the apparent size (`st_size`, what `ls -l` shows); with `on_disk`, the blocks
    allocated (`st_blocks`, what `du` shows), smaller for a sparse file, larger for tiny ones.
    """
    total, seen = 0, set()
    for _folder, _subfolders, names, folder_fd in os.fwalk(root, follow_symlinks=False):
        for name in names:
            info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_blocks * 512 if on_disk else info.st_size
    return total


def main() -> None:
    day = 24 * 60 * 60
    with tempfile.TemporaryDirectory(prefix="files_cleanup_") as folder:
        base = Path(folder)
        keep = base / "keep-me.txt"
        keep.write_text("outside the cleaned folder\n")
        tmp = base / "tmp"
        (tmp / "sessions").mkdir(parents=True)
        for name, age_days in {"a.log": 40, "b.log": 10, "sessions/old": 31, "new": 0}.items():
            path = tmp / name
            path.write_bytes(b"x" * 1000)
            past = time.time() - age_days * day
            os.utime(path, (past, past))
        (tmp / "link-to-keep").symlink_to(keep)
        os.utime(tmp / "link-to-keep", (0, 0), follow_symlinks=False)
        print(f"1. tmp/ holds {folder_size(tmp):,} bytes in files of 0 to 40 days old")
        planned = delete_old_files(tmp, 30 * day)
        names = [path.relative_to(tmp).as_posix() for path in planned.paths]
        print(f"2. Dry run, older than 30 days: would delete {names}, {planned.bytes:,} bytes")
        print("   (the symlink is skipped, and its target outside tmp/ is never touched)")
        delete_old_files(tmp, 30 * day, dry_run=False)
        remaining = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        print(f"3. For real: left {remaining}; keep-me.txt exists: {keep.exists()}")
    print("Conclusion: select by modification time with lstat, never follow links, stat and")
    print("unlink relative to each folder's descriptor, and run a dry run first.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
