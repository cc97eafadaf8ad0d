"""How many worker processes should a server start: the reference solution."""

from __future__ import annotations

from collections.abc import Mapping

MOST = 12  # gunicorn: "4-12 worker processes" serve hundreds or thousands of requests a second
MOST_ALLOWED = 64


def worker_count(environ: Mapping[str, str], cpu_count: int | None) -> int:
    """The number of worker processes to start."""
    raw = environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        return min(2 * (cpu_count or 1) + 1, MOST)  # None: os.cpu_count() could not tell
    if not raw.isdigit() or not 1 <= int(raw) <= MOST_ALLOWED:
        raise ValueError(
            f"WEB_CONCURRENCY must be a whole number from 1 to {MOST_ALLOWED}, got {raw!r}"
        )
    return int(raw)
