"""A user's path, kept inside the storage folder: defeat path traversal.

Write `contained_path(root, user_path)`. A web handler calls it with the path a user asked
for (`"reports/q1.csv"`); it returns the absolute, resolved `Path` of that file inside
`root`, or raises `ValueError` when the path would lead anywhere outside `root`:
`"../secret"`, `"/etc/passwd"`, `"reports/../../x"`, or a symbolic link inside `root` that
points outside it. A path that goes down and back up but stays inside (`"a/../b.txt"`) is
allowed. The file does not need to exist yet (it may be about to be uploaded).

`files_safe_paths.py` (`resolve_inside`) shows one complete answer with more checks; try
yours first, with the two ideas from the lesson: resolve, then check containment.

Check your work with `.venv/bin/course check 02 ex02`; a hint: `.venv/bin/course hint 02 ex02`.
"""

from __future__ import annotations

from pathlib import Path


def contained_path(root: Path, user_path: str) -> Path:
    """Return the resolved path of user_path inside root; ValueError if it leaves root."""
    # TODO: join, resolve (which follows symlinks and removes '..'), then check that the
    # result is still inside the resolved root
    raise NotImplementedError("TODO: keep the user's path inside root")
