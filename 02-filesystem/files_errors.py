"""Bad input, handled: one clear line for each file problem, and never a partial file left.

Running it provokes the five problems a backend meets with files: a missing file, a folder
where a file was expected, a permission error, a full disk (simulated with `RLIMIT_FSIZE`, a
per-process file size limit, in a child process) and a file in the wrong encoding, and
prints the one line each gets instead of a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from files_atomic import atomic_writer

LESSON_FOLDER = Path(__file__).resolve().parent
NOBODY = 65534  # the conventional unprivileged user and group id
FULL_DISK_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


class FileProblem(Exception):
    """A file operation failed for a reason the user can fix; the message says how."""


def explain(error: OSError | UnicodeDecodeError, path: Path) -> str:
    """Turn an exception into one line: what is wrong with which file, and what to do."""
    if isinstance(error, UnicodeDecodeError):
        byte = error.object[error.start : error.start + 1].hex()
        return (
            f"{path} is not valid {error.encoding} (byte 0x{byte} at position {error.start}); "
            "pass the file's real encoding, e.g. encoding='cp1252'"
        )
    where = Path(error.filename) if error.filename else path
    if isinstance(error, FileNotFoundError):
        return f"{where} does not exist; check the name (relative paths start in {Path.cwd()})"
    if isinstance(error, IsADirectoryError):
        return f"{where} is a folder, not a file; name a file inside it"
    if isinstance(error, NotADirectoryError):
        return f"a part of {where} is a file, not a folder"
    if isinstance(error, PermissionError):
        return f"{where}: permission denied; check its owner and mode with `ls -l`"
    if error.errno in FULL_DISK_ERRORS:
        return f"{where}: no space left (disk full or over a size limit); free space and retry"
    return f"{where}: {error.strerror or error}"


@contextlib.contextmanager
def reported(path: Path) -> Iterator[None]:
    """Re-raise file errors inside the block as one FileProblem line about `path`."""
    try:
        yield
    except (OSError, UnicodeDecodeError) as error:
        raise FileProblem(explain(error, path)) from None


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Read a text file, or raise FileProblem saying what is wrong with it."""
    with reported(path):
        return Path(path).read_text(encoding=encoding)


def copy_file(source: Path, destination: Path) -> None:
    """Copy a file all or nothing: on any error no partial destination is left."""
    # errors while writing are about the destination (a full disk, a read-only folder)
    with (
        reported(source),
        open(source, "rb") as reader,
        reported(destination),
        atomic_writer(destination) as writer,
    ):
        shutil.copyfileobj(reader, writer)


CHILD_CODE = """
import os, resource, signal, sys
sys.path.insert(0, sys.argv[1])
import files_errors
if sys.argv[2] == "nobody":
    os.setgroups([]); os.setgid(files_errors.NOBODY); os.setuid(files_errors.NOBODY)
else:
    # without this the kernel kills the process with SIGXFSZ instead of failing the write
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    files_errors.copy_file(sys.argv[3], sys.argv[4])
except files_errors.FileProblem as problem:
    sys.exit(f"error: {problem}")
"""


def copy_in_child(source: Path, destination: Path, limit: str) -> str:
    """Copy in a child process that runs as user nobody or with a file size limit in bytes."""
    command = [sys.executable, "-I", "-S", "-c", CHILD_CODE, str(LESSON_FOLDER), limit]
    run = subprocess.run(
        [*command, str(source), str(destination)], capture_output=True, text=True, check=False
    )
    return run.stderr.strip() or "copied"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_errors_") as folder:
        base = Path(folder)
        (base / "latin1.txt").write_bytes("café crème\n".encode("cp1252"))
        big = base / "big.bin"
        big.write_bytes(os.urandom(1024 * 1024))
        private = base / "private.txt"
        private.write_text("only the owner may read this\n")
        private.chmod(0o600)
        cases = [
            ("a missing file", lambda: read_text(base / "missing.txt")),
            ("a folder instead of a file", lambda: read_text(base)),
            ("a file in another encoding", lambda: read_text(base / "latin1.txt")),
        ]
        for number, (label, action) in enumerate(cases, start=1):
            print(f"{number}. Reading {label}:")
            try:
                action()
            except FileProblem as problem:
                print(f"   error: {problem}")
        print("4. A full disk: copying 1 MiB under a 100 KB file size limit (RLIMIT_FSIZE):")
        print(f"   {copy_in_child(big, base / 'copy.bin', '100000')}")
        left = sorted(p.name for p in base.iterdir() if p.name.startswith((".copy", "copy")))
        print(f"   partial copy or temporary file left behind: {left or 'none'}")
        print("5. A permission error: copying a 0o600 file as another user (nobody):")
        if os.geteuid() == 0:
            base.chmod(0o755)  # let nobody reach the file itself, so the file's mode decides
            drop = base / "drop"  # a folder nobody may write the copy into
            drop.mkdir(mode=0o777)
            drop.chmod(0o777)
            print(f"   {copy_in_child(private, drop / 'copy.txt', 'nobody')}")
            private.chmod(0o644)
            control = copy_in_child(private, drop / "copy.txt", "nobody")
            print(f"   the same file made 0o644: {control}")
        else:
            print("   (run as root to see it: a normal user can read its own 0o600 files)")
    print("Conclusion: catch OSError and UnicodeDecodeError at the edge, say what is wrong and")
    print("how to fix it in one line; write through a temporary file so nothing half-done stays.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
