"""Book covers: uploaded and downloaded in chunks, never whole in memory, with a size limit.

An upload is written chunk by chunk to a temporary file beside the cover's place, and renamed
into place only once the whole body has arrived within the limit. A body over the limit is a
413 problem and its partial file is deleted: a reader never sees half a cover, and the old
cover survives a failed upload. A download is read from the file in chunks by the framework
(Flask's `send_file`, Starlette's `FileResponse`), so memory stays flat at any size.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from api_problems import ApiProblem

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024  # what one read of the request body asks for
COVER_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
MEDIA_TYPES = {suffix: media_type for media_type, suffix in COVER_TYPES.items()}


def cover_suffix(content_type: str | None) -> str:
    """The file suffix for an upload's media type; 415 for anything but an image we keep."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in COVER_TYPES:
        accepted = ", ".join(COVER_TYPES)
        raise ApiProblem(415, f"send the cover as one of {accepted}", slug="unsupported-media-type")
    return COVER_TYPES[media_type]


def too_large(max_bytes: int) -> ApiProblem:
    """The 413 problem for a cover over the limit."""
    return ApiProblem(413, f"the cover is over {max_bytes} bytes", slug="too-large")


class CoverUpload:
    """One upload in progress: `write` each chunk, then `finish`, or `discard` on any error."""

    def __init__(self, directory: Path, book_id: int, suffix: str, max_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.book_id, self.suffix = directory, book_id, suffix
        self.max_bytes, self.size = max_bytes, 0
        # a dot-name in the same directory: never listed as a cover, and the final rename
        # stays on one file system, where it is atomic
        handle, name = tempfile.mkstemp(dir=directory, prefix=f".{book_id}.", suffix=".part")
        self.partial = Path(name)
        self.file = os.fdopen(handle, "wb")

    def write(self, chunk: bytes) -> None:
        """Append a chunk; 413 as soon as the total passes the limit (nothing more is read)."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes)
        self.file.write(chunk)

    def finish(self) -> int:
        """Put the complete cover in place (replacing any earlier one); its size in bytes."""
        self.file.close()
        final = self.directory / f"{self.book_id}{self.suffix}"
        os.replace(self.partial, final)  # atomic: readers see the old cover or the new one
        for other in covers_of(self.directory, self.book_id):
            if other != final:
                other.unlink(missing_ok=True)  # a cover of another type replaced by this one
        logger.info("cover of book %d stored: %d bytes", self.book_id, self.size)
        return self.size

    def discard(self) -> None:
        """Delete the partial file: a failed upload leaves nothing behind."""
        self.file.close()
        self.partial.unlink(missing_ok=True)


def covers_of(directory: Path, book_id: int) -> list[Path]:
    """The stored cover files of a book (one, or none)."""
    return [path for path in directory.glob(f"{book_id}.*") if path.suffix in MEDIA_TYPES]


def find_cover(directory: Path, book_id: int) -> tuple[Path, str]:
    """The cover's file and media type; 404 if the book has none."""
    for path in covers_of(directory, book_id):
        return path, MEDIA_TYPES[path.suffix]
    raise ApiProblem(404, f"book {book_id} has no cover", slug="not-found")


def remove_covers(directory: Path, book_id: int) -> None:
    """Delete a book's cover (when the book is deleted)."""
    for path in covers_of(directory, book_id):
        path.unlink(missing_ok=True)
