"""A user's path, kept inside the storage folder: the reference solution."""

from __future__ import annotations

from pathlib import Path


def contained_path(root: Path, user_path: str) -> Path:
    """Return the resolved path of user_path inside root; ValueError if it leaves root."""
    real_root = Path(root).resolve()
    # an absolute user_path replaces real_root in the join; resolve() then follows symlinks
    # and removes '..', so the containment check sees where the path really leads
    candidate = (real_root / user_path).resolve()
    if not candidate.is_relative_to(real_root):
        raise ValueError(f"{user_path!r} leads outside the storage folder")
    return candidate
