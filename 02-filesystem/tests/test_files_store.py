"""The content store: dedup, verified reads, constant memory, safe under concurrent writers."""

import hashlib
import subprocess
import sys
import tracemalloc
from pathlib import Path

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


WRITER_CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from files_store import ContentStore
store = ContentStore(Path(sys.argv[2]))
content = bytes(range(256)) * 16384  # 4 MiB, the same in every writer
print("ready", flush=True)
sys.stdin.readline()  # all writers start storing at the same moment
store.put((content[i : i + 65536] for i in range(0, len(content), 65536)), sys.argv[3], "x")
"""


def test_writers_in_parallel_processes_storing_the_same_content_leave_one_intact_blob(store):
    lesson_folder = str(Path(__file__).resolve().parents[1])
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CODE, lesson_folder, str(store.root), f"copy-{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.close()
    returncodes = [writer.wait() for writer in writers]
    for writer in writers:
        writer.stdout.close()

    assert returncodes == [0, 0, 0, 0]
    [info] = store.list()
    assert info.size == 4 * 1024 * 1024
    store.verify(info.digest)
    assert list(store.incoming.iterdir()) == []
