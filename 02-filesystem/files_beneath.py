"""A check is true only when it is made: open a user's path without following any symlink.

Running it shows the race `resolve_inside` alone leaves open. The path `shared/report.txt` is
checked and found inside the storage; before the handler opens it, someone who can write in
the storage swaps the folder `shared` for a symlink to a folder outside. THE WRONG WAY (open
the checked path) writes outside; `open_beneath` walks the path one folder at a time with
`O_NOFOLLOW`, each step relative to the folder before it, and refuses the symlink. (Linux has
`openat2(RESOLVE_BENEATH)` for this in one call; Python's standard library does not expose it.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path, PurePosixPath

from files_safe_paths import UnsafePath, resolve_inside

NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL


def open_beneath(root: Path, relative: str, flags: int = NEW_FILE, mode: int = 0o600) -> int:
    """Open `relative` under `root`, creating missing folders, following no symlink; return fd."""
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] == "/" or ".." in parts:
        raise UnsafePath(f"{relative!r} is not a plain relative path")
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)  # the root itself is trusted
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=folder)
            inner = open_step(part, os.O_RDONLY | os.O_DIRECTORY, 0, folder, relative)
            os.close(folder)
            folder = inner
        return open_step(parts[-1], flags, mode, folder, relative)
    finally:
        os.close(folder)


def open_step(name: str, flags: int, mode: int, folder: int, relative: str) -> int:
    """Open one component relative to an open folder, refusing a symlink there."""
    try:
        return os.open(name, flags | os.O_NOFOLLOW, mode, dir_fd=folder)
    except OSError as error:
        # ELOOP: `name` is a symlink; ENOTDIR: a symlink (or file) where a folder should be
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafePath(f"{relative!r}: {name!r} is a symbolic link or not a folder") from None
        raise


def create_inside(root: Path, user_path: str, data: bytes) -> None:
    """Check a user's path for a clear reason, then create the file with no symlink followed."""
    real_root = root.resolve()
    relative = resolve_inside(real_root, user_path).relative_to(real_root)
    with open(open_beneath(real_root, relative.as_posix()), "wb") as file:
        file.write(data)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_beneath_") as folder:
        root, outside = Path(folder) / "storage", Path(folder) / "outside"
        (root / "shared").mkdir(parents=True)
        outside.mkdir()
        checked = resolve_inside(root, "shared/report.txt")
        print(f"1. Checked, inside the storage: {checked.relative_to(Path(folder).resolve())}")
        (root / "shared").rmdir()
        (root / "shared").symlink_to(outside)  # the swap, between the check and the open
        print("2. Someone swaps storage/shared for a symlink to ../outside")
        checked.write_bytes(b"oops")
        print(f"3. THE WRONG WAY, opening the checked path: outside/ holds {os.listdir(outside)}")
        (outside / "report.txt").unlink()
        try:
            os.close(open_beneath(root, checked.relative_to(root.resolve()).as_posix()))
        except UnsafePath as error:
            print(f"4. open_beneath refuses: {error}; outside/ holds {os.listdir(outside)}")
    print("Conclusion: a path checked is not a path opened; walk it with O_NOFOLLOW relative to")
    print("each folder, or make sure nobody but the service can create symlinks in the storage.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
