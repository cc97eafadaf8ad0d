"""Writes that never leave a torn file: temporary file, fsync, os.replace, fsync the folder.

Running it shows what a failure half way through a write does to a file: the naive
`open(path, "w")` writer has already emptied it; the atomic writer leaves the old version
whole. (`files_crash.py` shows the same with a writer process killed by SIGKILL.)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)


def fsync_descriptor(descriptor: int) -> None:
    """Ask the kernel to put a file's data on the disk; an error here is fatal, never retried."""
    # macOS's fsync(2) stops at the drive's own cache; F_FULLFSYNC asks the drive to flush too
    if hasattr(fcntl, "F_FULLFSYNC"):
        fcntl.fcntl(descriptor, fcntl.F_FULLFSYNC)
    else:
        # after a failed fsync (EIO) Linux may mark the unwritten pages clean ("fsyncgate"):
        # a retry that succeeds proves nothing, so the error propagates and the write fails
        os.fsync(descriptor)


def fsync_directory(directory: Path) -> None:
    """Flush a folder's entries to disk, so a rename inside it survives a power cut."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fsync_descriptor(descriptor)
    finally:
        os.close(descriptor)


def copy_owner_and_mode(descriptor: int, path: Path) -> None:
    """Give the temporary file the target's mode (and, as root, its owner and group)."""
    try:
        # one stat, no exists() first: the file may vanish in between (TOCTOU)
        current = os.stat(path)
    except FileNotFoundError:
        return  # a new file keeps mkstemp's 0o600, private: chmod it after if others read it
    if os.geteuid() == 0:  # only root may give a file away; a user's own files stay theirs
        os.fchown(descriptor, current.st_uid, current.st_gid)
    os.fchmod(descriptor, stat.S_IMODE(current.st_mode))  # after chown, which clears setuid


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb", **open_options) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success it replaces `path` in one step.

    On any error the temporary file is deleted and `path` keeps its old content. A symlink
    is followed: its target is replaced and the link kept. Hard links to the old file, ACLs
    and extended attributes are not carried over: the new file is a new inode.
    """
    path = Path(os.path.realpath(path))
    # the same folder, so os.replace is a rename within one filesystem (atomic on POSIX)
    descriptor, temporary_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    temporary = Path(temporary_name)
    try:
        with open(descriptor, mode, **open_options) as file:
            copy_owner_and_mode(file.fileno(), path)  # on the descriptor: no path to swap
            yield file
            file.flush()  # Python's buffer -> the kernel
            fsync_descriptor(file.fileno())  # the kernel's cache -> the disk
        os.replace(temporary, path)  # readers see the old file or the new one, never a mix
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)  # the rename itself is durable only once the folder is
    logger.debug("atomically wrote %s", path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace the file's content with `data`, all or nothing."""
    with atomic_writer(path, "wb") as file:
        file.write(data)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Replace the file's text, all or nothing."""
    with atomic_writer(path, "w", encoding=encoding, newline="") as file:
        file.write(text)


def naive_write_bytes(path: Path, data: bytes) -> None:
    """THE WRONG WAY: truncate the file, then write it; a crash in between tears it."""
    with open(path, "wb") as file:
        # written in pieces, as any large write is, so a crash can land between them
        for start in range(0, len(data), 64 * 1024):
            file.write(data[start : start + 64 * 1024])
            file.flush()


WRITERS = {"atomic": atomic_write_bytes, "naive": naive_write_bytes}


def version_content(version: int, size: int = 256 * 1024) -> bytes:
    """A file body that says which version it is on every line, so a mix is detectable."""
    line = f"version {version:08d}\n".encode()
    return line * (size // len(line))


def classify(content: bytes, size: int = 256 * 1024) -> str:
    """Say whether a file body is one whole version ("whole") or torn ("torn: ...")."""
    if not content:
        return "torn: empty file"
    first_line = content.split(b"\n", 1)[0]
    if not first_line.startswith(b"version "):
        return "torn: no version line"
    version = int(first_line.removeprefix(b"version "))
    if content == version_content(version, size):
        return "whole"
    expected = len(version_content(version, size))
    return f"torn: {len(content):,} of {expected:,} bytes of version {version}, or mixed"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_atomic_") as folder:
        settings = Path(folder) / "settings.json"
        print("1. Write a file atomically: a temporary file beside it, fsync, os.replace")
        atomic_write_text(settings, '{"theme": "dark"}\n')
        print(f"   {settings.name} holds {settings.read_text().strip()}")
        print(f"   files in the folder: {sorted(p.name for p in Path(folder).iterdir())}")
        print("2. A write that fails half way (the data cannot be encoded) ...")
        try:
            atomic_write_text(settings, '{"theme": "\udcff"}\n', encoding="utf-8")
        except UnicodeEncodeError as error:
            print(f"   failed: {error.reason}")
        print(f"   {settings.name} still holds {settings.read_text().strip()}")
        print(f"   no temporary file is left: {sorted(p.name for p in Path(folder).iterdir())}")
        print("3. The same failure with the naive open(path, 'w') writer ...")
        try:
            with open(settings, "w", encoding="utf-8") as file:
                file.write('{"theme": "\udcff"}\n')
        except UnicodeEncodeError:
            pass
        print(f"   {settings.name} now holds {settings.read_text()!r}: the old settings are gone")
    print("Conclusion: open(path, 'w') empties the file first, so any failure or crash before the")
    print("last write loses both versions; write a temporary file and os.replace it instead.")
    print("files_crash.py shows the same with a process killed by SIGKILL.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
