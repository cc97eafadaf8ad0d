"""Copy a file and compute its SHA-256 in one pass, in constant memory.

Write `copy_and_hash(source, destination)`. It copies `source` to `destination` reading at
most 64 KiB at a time, feeds the same chunks to a SHA-256 hasher, and returns the hex digest
(`hashlib.sha256(...).hexdigest()` of the whole file). Memory must stay flat: copying an 8 MiB
file may not allocate more than 1 MiB (the test measures it with `tracemalloc`), so never read
the whole file. Stretch: if the copy fails part way, leave no partial destination behind.

`files_store.py` (`ContentStore.put`) hashes while it writes; `files_bench.py` measures why.

Check your work with `.venv/bin/course check 02 ex04`; a hint: `.venv/bin/course hint 02 ex04`.
"""

from __future__ import annotations

from pathlib import Path

CHUNK_SIZE = 64 * 1024


def copy_and_hash(source: Path, destination: Path) -> str:
    """Copy source to destination in chunks; return the SHA-256 hex digest of its bytes."""
    # TODO: open both files in binary mode, loop reading CHUNK_SIZE bytes until b"",
    # update a hashlib.sha256() with each chunk and write the chunk
    raise NotImplementedError("TODO: copy the file and hash it in one pass")
