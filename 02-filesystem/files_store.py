"""A content-addressed file store: blobs saved under their SHA-256, deduplicated, verified.

Running it saves a few uploads (two of them with the same bytes), shows the sharded layout on
disk and the metadata beside each blob, serves a blob in fixed-size chunks, then corrupts one
blob on disk and shows that the store detects it and refuses to serve it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from files_atomic import fsync_directory

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024


class BlobNotFound(LookupError):
    """No blob with this digest is in the store."""


class CorruptBlob(RuntimeError):
    """A blob's bytes no longer match its digest (disk damage, or someone edited it)."""


@dataclass(frozen=True)
class BlobInfo:
    """What the store knows about one blob."""

    digest: str
    size: int
    original_name: str
    content_type: str


def check_digest(file: BinaryIO, digest: str) -> None:
    """Hash an open file from where it is; raise CorruptBlob unless it matches `digest`."""
    hasher = hashlib.sha256()
    while chunk := file.read(CHUNK_SIZE):
        hasher.update(chunk)
    if hasher.hexdigest() != digest:
        logger.error("blob %s is corrupt: its content hashes to %s", digest, hasher.hexdigest())
        raise CorruptBlob(f"blob {digest[:12]}... is corrupt: its bytes changed on disk")


def chunks_of(file: BinaryIO) -> Iterator[bytes]:
    """Yield an open file in fixed-size chunks, then close it."""
    with file:
        while chunk := file.read(CHUNK_SIZE):
            yield chunk


class ContentStore:
    """Blobs under `root/blobs/ab/cd/<sha256>`, metadata in `<sha256>.json` beside each."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.incoming = self.root / "incoming"  # same filesystem as blobs/: rename is atomic
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.incoming.mkdir(exist_ok=True)

    def blob_path(self, digest: str) -> Path:
        """Where a blob lives: two levels of shards keep every folder small."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise BlobNotFound(f"{digest!r} is not a SHA-256 hex digest")
        return self.blobs / digest[:2] / digest[2:4] / digest

    def put(self, chunks: Iterable[bytes], original_name: str, content_type: str) -> BlobInfo:
        """Store a stream, hashing it as it is written; the same bytes are stored once."""
        hasher, size = hashlib.sha256(), 0
        descriptor, temporary_name = tempfile.mkstemp(dir=self.incoming)
        temporary = Path(temporary_name)
        try:
            with open(descriptor, "wb") as file:
                for chunk in chunks:  # one chunk in memory at a time, whatever the size
                    hasher.update(chunk)
                    file.write(chunk)
                    size += len(chunk)
                file.flush()
                os.fsync(file.fileno())
            digest = hasher.hexdigest()
            target = self.blob_path(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            # two writers of the same bytes rename identical files onto one name: whichever
            # wins, the blob is whole and correct, and a reader sees one whole file or none
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        for folder in (target.parent, target.parent.parent, self.blobs):
            fsync_directory(folder)  # the rename and any new shard folder, durable
        # a crash here leaves a blob without metadata: info() calls it missing, and storing
        # the same bytes again repairs it, since the metadata is then written for the first time
        self.publish_metadata(BlobInfo(digest, size, original_name, content_type))
        logger.info("stored %s (%d bytes)", digest, size)
        return self.info(digest)

    def publish_metadata(self, info: BlobInfo) -> None:
        """Write a blob's metadata once: the first upload names the content, for good."""
        metadata = self.blob_path(info.digest).with_suffix(".json")
        descriptor, temporary_name = tempfile.mkstemp(dir=self.incoming, suffix=".json")
        try:
            with open(descriptor, "w", encoding="utf-8") as file:
                json.dump(asdict(info), file)
                file.flush()
                os.fsync(file.fileno())
            # link(2) creates the name only if it does not exist: check and create in one step,
            # where exists() then write would let two uploads both see "no metadata yet"
            with contextlib.suppress(FileExistsError):  # another upload named it first
                os.link(temporary_name, metadata)
        finally:
            os.unlink(temporary_name)
        fsync_directory(metadata.parent)

    def info(self, digest: str) -> BlobInfo:
        """The blob's metadata."""
        metadata = self.blob_path(digest).with_suffix(".json")
        try:
            return BlobInfo(**json.loads(metadata.read_text()))
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest[:12]}... in the store") from None

    def verify(self, digest: str) -> None:
        """Re-hash the blob on disk; raise CorruptBlob when it no longer matches its name."""
        with self.open_blob(digest) as file:
            check_digest(file, digest)

    def open_blob(self, digest: str) -> BinaryIO:
        """Open a blob for reading, or raise BlobNotFound."""
        try:
            return open(self.blob_path(digest), "rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest[:12]}... in the store") from None

    def read(self, digest: str) -> Iterator[bytes]:
        """Check the blob now; return an iterator over the very bytes that were checked."""
        # a plain function, not a generator: BlobNotFound and CorruptBlob are raised here,
        # before a web framework has sent a 200 and its headers
        file = self.open_blob(digest)
        try:
            check_digest(file, digest)  # a corrupt blob is reported, never served
            file.seek(0)  # the same descriptor: a file renamed over the blob since is not served
        except BaseException:
            file.close()
            raise
        return chunks_of(file)

    def list(self) -> list[BlobInfo]:
        """Every blob's metadata, by digest."""
        return sorted(
            (BlobInfo(**json.loads(path.read_text())) for path in self.blobs.glob("*/*/*.json")),
            key=lambda info: info.digest,
        )

    def delete(self, digest: str) -> None:
        """Remove a blob and its metadata."""
        path = self.blob_path(digest)
        path.with_suffix(".json").unlink(missing_ok=True)  # first: list() stops showing it
        try:
            path.unlink()
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest[:12]}... in the store") from None


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # the demo prints; the store's logs are quiet
    with tempfile.TemporaryDirectory(prefix="files_store_") as folder:
        store = ContentStore(Path(folder))
        print("1. Store three uploads; the second and third have the same bytes")
        report = store.put([b"quarterly report\n"], "report.txt", "text/plain")
        store.put([b"%PDF-1.7 ...", b" one page"], "invoice.pdf", "application/pdf")
        again = store.put([b"%PDF-1.7 ... one page"], "invoice-copy.pdf", "application/pdf")
        print(f"   blobs stored: {len(store.list())} (the copy is deduplicated)")
        print(f"   the copy's metadata keeps the first name: {again.original_name}")
        print("2. The layout on disk, sharded by the digest's first characters:")
        for path in sorted(store.blobs.rglob("*")):
            if path.is_file():
                shards = path.parent.relative_to(store.root)
                print(f"   {shards}/{path.name[:16]}...{path.suffix}")
        print(f"3. Served in chunks: {b''.join(store.read(report.digest))!r}")
        blob = store.blob_path(report.digest)
        blob.write_bytes(b"quarterly rep0rt\n")  # one flipped character, as a bad disk would
        print("4. One character of the report's blob is changed on disk ...")
        try:
            store.read(report.digest)
        except CorruptBlob as error:
            print(f"   refused: {error}")
    print("Conclusion: a digest names content, so duplicates cost nothing and any change to")
    print("the bytes is detected on read; stream in chunks so memory stays flat.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
