"""The largest files under a folder, with pathlib: what `du`-style tools do first.

Write `largest_files(root, count)`. It returns the `count` largest regular files anywhere
under `root` (in sub-folders too), as `(relative_path, size_in_bytes)` pairs, where
`relative_path` is relative to `root` with forward slashes (`"logs/2024/app.log"`). Largest
first; files of the same size in path order. Skip folders and symbolic links (a link's size is
not the size of what it points to, and following links can leave the folder).

`files_basics.py` shows `rglob`, `stat` and `os.scandir` at work.

Check your work with `.venv/bin/course check 02 ex01`; a hint: `.venv/bin/course hint 02 ex01`.
"""

from __future__ import annotations

from pathlib import Path


def largest_files(root: Path, count: int) -> list[tuple[str, int]]:
    """Return the `count` largest regular files under root, largest first."""
    # TODO: walk every path under root, keep regular files that are not symlinks,
    # pair each relative path (as_posix) with its size, sort and keep the first `count`
    raise NotImplementedError("TODO: find the largest files under root")
