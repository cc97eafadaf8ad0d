"""One small interface for blobs, and its local-disk implementation.

`BlobStore` is what an application needs from any object storage: put a stream, get a
stream, exists, delete, list by prefix, and a time-limited download URL. `LocalBlobStore`
keeps blobs in a folder (development, tests, a single server); `blob_s3`, `blob_gcs` and
`blob_azure` keep them in S3, Google Cloud Storage and Azure Blob Storage. The same contract
tests (`tests/test_blob_contract.py`) run against all four, so code written against the
protocol moves between them unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

logger = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
MAX_KEY_BYTES = 1024  # S3 and GCS: 1,024 bytes of UTF-8; Azure: 1,024 characters


class BlobNotFound(KeyError):
    """No blob under that key."""


class InvalidKey(ValueError):
    """A key that some backend would refuse or misread."""


class BlobStore(Protocol):
    """What the application needs from any object storage."""

    def put(self, key: str, chunks: Iterable[bytes], *, content_type: str = ...) -> int: ...

    def get(self, key: str) -> Iterator[bytes]: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def list(self, prefix: str = "") -> list[str]: ...

    def download_url(self, key: str, *, expires_in: int) -> str: ...


def check_key(key: str) -> str:
    """Refuse a key that is empty, too long, absolute, or has `.`/`..` segments."""
    if not key or len(key.encode()) > MAX_KEY_BYTES:
        raise InvalidKey(
            f"a key must be 1 to {MAX_KEY_BYTES:,} bytes of UTF-8 long, not {len(key.encode()):,}"
        )
    if key.startswith("/") or any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidKey(f"{key!r}: use relative keys like 'a/b.txt', without '//', '.' or '..'")
    return key


class ChunkReader(io.RawIOBase):
    """A read-only file over an iterable of chunks, for SDKs that want a file object."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks, self.pending = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            self.pending = next(self.chunks, None)
            if self.pending is None:
                self.pending = b""
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


class Counted:
    """An iterable of chunks that counts the bytes it hands out."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks, self.size = chunks, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            yield chunk


def as_reader(chunks: Iterable[bytes]) -> BinaryIO:
    """Wrap chunks in a buffered reader (SDKs read it in pieces of their own size)."""
    return io.BufferedReader(ChunkReader(chunks), buffer_size=CHUNK_SIZE)


class LocalBlobStore:
    """Blobs as files under one folder; a download URL is signed with an HMAC key."""

    def __init__(self, root: Path, *, url_key: bytes, base_url: str = "http://localhost/blobs"):
        self.root, self.url_key, self.base_url = root, url_key, base_url
        root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        if ".incoming-" in check_key(key):  # the names of this store's temporary files
            raise InvalidKey(f"{key!r}: '.incoming-' is kept for the local store's own files")
        return self.root / key

    def put(self, key: str, chunks: Iterable[bytes], *, content_type: str = "") -> int:
        """Write to a temporary file beside the target, then rename: readers never see half."""
        target, size = self.path(key), 0  # content_type: the web app serving open_url sets it
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InvalidKey(
                f"{key!r}: on local disk a key cannot also be a folder of other keys"
            ) from None
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with open(descriptor, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
                    size += len(chunk)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return size

    def get(self, key: str) -> Iterator[bytes]:
        """Open the blob now (BlobNotFound at once), then stream it in chunks."""
        try:
            file = open(self.path(key), "rb")  # noqa: SIM115  (closed by the generator)
        except (FileNotFoundError, IsADirectoryError):
            raise BlobNotFound(key) from None
        return read_chunks(file)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> list[str]:
        keys = (path.relative_to(self.root).as_posix() for path in self.root.rglob("*"))
        return sorted(k for k in keys if k.startswith(prefix) and ".incoming-" not in k
                      and (self.root / k).is_file())  # fmt: skip

    def download_url(self, key: str, *, expires_in: int) -> str:
        """A URL a web app can serve after `open_url` has checked its signature and expiry."""
        expires = int(time.time()) + expires_in
        return f"{self.base_url}/{quote(check_key(key))}?expires={expires}&signature=" + self.sign(
            key, expires
        )

    def sign(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self.url_key, message, hashlib.sha256).hexdigest()

    def open_url(self, url: str) -> Iterator[bytes]:
        """Check a download URL's signature and expiry, then stream the blob it names."""
        parts = urlsplit(url)
        key = unquote(parts.path.removeprefix(urlsplit(self.base_url).path + "/"))
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        expires = int(query.get("expires", "0"))
        expected = self.sign(key, expires)
        if not hmac.compare_digest(expected, query.get("signature", "")):
            raise PermissionError("the download URL's signature does not match: it was altered")
        if time.time() > expires:
            raise PermissionError("the download URL has expired")
        return self.get(key)


def read_chunks(file: BinaryIO) -> Iterator[bytes]:
    """Yield a file's bytes in chunks, closing it at the end."""
    with file:
        while chunk := file.read(CHUNK_SIZE):
            yield chunk
