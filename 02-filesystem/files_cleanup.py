"""Watching and cleaning up: find old files by age, delete them safely (dry run first), and
measure how much disk a folder uses.

Running it fills a scratch folder with files of different ages (and a symlink to a file that
must survive), lists what a cleanup would delete without deleting it, then deletes for real.
"""

from __future__ import annotations

import logging
import os
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
    cutoff = (time.time() if now is None else now) - max_age_seconds
    found = []
    for folder, subfolders, names in os.walk(root):  # os.walk does not enter symlinked folders
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            info = path.lstat()  # lstat: the link itself, never what it points to
            if path.is_symlink() or not path.is_file():
                continue
            if info.st_mtime < cutoff:
                found.append(path)
    return found


def delete_old_files(
    root: Path, max_age_seconds: float, *, dry_run: bool = True, now: float | None = None
) -> CleanupResult:
    """Delete old files under root; by default only report what would go (a dry run)."""
    paths = old_files(root, max_age_seconds, now)
    total = sum(path.lstat().st_size for path in paths)
    if not dry_run:
        for path in paths:
            path.unlink(missing_ok=True)  # another cleaner may have got there first
            logger.info("deleted %s", path)
    return CleanupResult(paths, total, dry_run)


def folder_size(root: Path) -> int:
    """The bytes of every regular file under root (symlinks counted as links, not followed)."""
    total = 0
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                total += folder_size(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
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
    print("Conclusion: select by modification time with lstat, never follow links, and run a")
    print("dry run first: a cleanup deletes for good.")


if __name__ == "__main__":
    main()
