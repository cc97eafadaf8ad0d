"""The content store: dedup, verified reads, constant memory, safe under concurrent writers."""

import hashlib
import threading
import tracemalloc

import pytest
from files_store import BlobNotFound, ContentStore, CorruptBlob


@pytest.fixture
def store(tmp_path):
    return ContentStore(tmp_path / "store")


def test_a_blob_is_stored_under_its_sha256_with_its_metadata(store):
    info = store.put([b"hello ", b"world"], "greeting.txt", "text/plain")

    assert info.digest == hashlib.sha256(b"hello world").hexdigest()
    assert store.blob_path(info.digest).read_bytes() == b"hello world"
    assert (info.size, info.original_name, info.content_type) == (11, "greeting.txt", "text/plain")
    assert b"".join(store.read(info.digest)) == b"hello world"


def test_the_same_content_is_stored_once(store):
    first = store.put([b"same bytes"], "a.txt", "text/plain")
    second = store.put([b"same ", b"bytes"], "b.txt", "text/plain")

    assert first.digest == second.digest
    assert len(store.list()) == 1
    assert list(store.incoming.iterdir()) == []


def test_a_corrupted_blob_is_detected_and_not_served(store):
    info = store.put([b"quarterly report"], "report.txt", "text/plain")
    store.blob_path(info.digest).write_bytes(b"quarterly rep0rt")

    with pytest.raises(CorruptBlob, match="corrupt"):
        next(store.read(info.digest))


def test_missing_and_malformed_digests_are_reported(store):
    with pytest.raises(BlobNotFound):
        next(store.read("0" * 64))
    with pytest.raises(BlobNotFound, match="not a SHA-256"):
        store.blob_path("../../etc/passwd")


def test_a_blob_can_be_deleted(store):
    info = store.put([b"temporary"], "t.txt", "text/plain")
    store.delete(info.digest)
    assert store.list() == []
    with pytest.raises(BlobNotFound):
        store.delete(info.digest)


def test_storing_and_reading_8_mib_keeps_memory_flat(store):
    chunk = b"x" * 65536

    def upload():
        for _ in range(128):  # 8 MiB, one 64 KiB chunk at a time
            yield chunk

    tracemalloc.start()
    try:
        info = store.put(upload(), "big.bin", "application/octet-stream")
        read = sum(len(part) for part in store.read(info.digest))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert read == 8 * 1024 * 1024
    assert peak < 1024 * 1024, f"peak {peak:,} bytes: the store must not hold the whole file"


def test_concurrent_writers_of_the_same_content_leave_one_intact_blob(store):
    content = bytes(range(256)) * 4096  # 1 MiB
    errors = []

    def writer(number):
        try:
            store.put([content[i : i + 65536] for i in range(0, len(content), 65536)], "f", "x")
        except Exception as error:  # collected so the assertion below names it
            errors.append(f"writer {number}: {error!r}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    [info] = store.list()
    store.verify(info.digest)
    assert list(store.incoming.iterdir()) == []
