"""Answer 304 Not Modified when the client's cached copy is current: the reference solution."""

from __future__ import annotations


def is_current(if_none_match: str | None, etag: str) -> bool:
    """True if the client's copy named in If-None-Match is the current `etag`."""
    if if_none_match is None:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",") if tag.strip()]
    if "*" in tags:
        return True
    # weak comparison: the opaque tags must match, whether or not either is marked W/
    return etag.removeprefix("W/") in [tag.removeprefix("W/") for tag in tags]
