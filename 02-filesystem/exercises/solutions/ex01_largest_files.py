"""The largest files under a folder, with pathlib: the reference solution."""

from __future__ import annotations

from pathlib import Path


def largest_files(root: Path, count: int) -> list[tuple[str, int]]:
    """Return the `count` largest regular files under root, largest first."""
    sizes = [
        (path.relative_to(root).as_posix(), path.lstat().st_size)
        for path in Path(root).rglob("*")
        # is_file() follows links, so rule links out first: their targets may be elsewhere
        if not path.is_symlink() and path.is_file()
    ]
    return sorted(sizes, key=lambda pair: (-pair[1], pair[0]))[:count]
