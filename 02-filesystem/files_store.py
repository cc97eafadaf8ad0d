"""A content-addressed file store: blobs saved under their SHA-256, deduplicated, verified.

Running it saves a few uploads (two of them with the same bytes), shows the sharded layout on
disk and the metadata beside each blob, serves a blob in fixed-size chunks, then corrupts one
blob on disk and shows that the store detects it and refuses to serve it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from files_atomic import atomic_write_text

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
            # wins, the blob is whole and correct
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        info = BlobInfo(digest, size, original_name, content_type)
        metadata = target.with_suffix(".json")
        if not metadata.exists():  # the first upload to get here names the content
            atomic_write_text(metadata, json.dumps(asdict(info)))
        logger.info("stored %s (%d bytes)", digest, size)
        return self.info(digest)

    def info(self, digest: str) -> BlobInfo:
        """The blob's metadata."""
        metadata = self.blob_path(digest).with_suffix(".json")
        if not metadata.exists():
            raise BlobNotFound(f"no blob {digest[:12]}... in the store")
        return BlobInfo(**json.loads(metadata.read_text()))

    def verify(self, digest: str) -> None:
        """Re-hash the blob on disk; raise CorruptBlob when it no longer matches its name."""
        hasher = hashlib.sha256()
        with open(self.blob_path(digest), "rb") as file:
            while chunk := file.read(CHUNK_SIZE):
                hasher.update(chunk)
        if hasher.hexdigest() != digest:
            logger.error("blob %s is corrupt: its content hashes to %s", digest, hasher.hexdigest())
            raise CorruptBlob(f"blob {digest[:12]}... is corrupt: its bytes changed on disk")

    def read(self, digest: str) -> Iterator[bytes]:
        """Yield the blob in fixed-size chunks, after checking it is intact."""
        self.info(digest)  # BlobNotFound before anything else
        self.verify(digest)  # a corrupt blob is reported, never served
        with open(self.blob_path(digest), "rb") as file:
            while chunk := file.read(CHUNK_SIZE):
                yield chunk

    def list(self) -> list[BlobInfo]:
        """Every blob's metadata, by digest."""
        return sorted(
            (BlobInfo(**json.loads(path.read_text())) for path in self.blobs.glob("*/*/*.json")),
            key=lambda info: info.digest,
        )

    def delete(self, digest: str) -> None:
        """Remove a blob and its metadata."""
        path = self.blob_path(digest)
        if not path.exists():
            raise BlobNotFound(f"no blob {digest[:12]}... in the store")
        path.unlink()
        path.with_suffix(".json").unlink(missing_ok=True)


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
            next(store.read(report.digest))
        except CorruptBlob as error:
            print(f"   refused: {error}")
    print("Conclusion: a digest names content, so duplicates cost nothing and any change to")
    print("the bytes is detected on read; stream in chunks so memory stays flat.")


if __name__ == "__main__":
    main()
