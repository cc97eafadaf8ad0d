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


def test_a_missing_blob_is_reported_when_read_is_called_not_when_iterated(store):
    # a web handler calls read() before it sends the status line: it must fail right there
    with pytest.raises(BlobNotFound):
        store.read("0" * 64)


def test_the_bytes_served_are_the_bytes_that_were_verified(store, tmp_path):
    info = store.put([b"the verified report"], "report.txt", "text/plain")
    chunks = store.read(info.digest)
    swapped = tmp_path / "swapped"
    swapped.write_bytes(b"a file renamed over the blob after the check")

    swapped.replace(store.blob_path(info.digest))

    assert b"".join(chunks) == b"the verified report"


def test_the_first_upload_names_the_content_even_when_two_race_past_the_check(store, monkeypatch):
    store.put([b"same bytes"], "first.txt", "text/plain")
    # as if the second upload had looked for the metadata before the first one wrote it
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda p: p.suffix != ".json" and real_exists(p))

    second = store.put([b"same bytes"], "second.txt", "text/plain")

    assert second.original_name == "first.txt"


def test_storing_the_same_bytes_again_repairs_a_blob_whose_metadata_was_lost(store):
    info = store.put([b"crashed before its metadata"], "a.txt", "text/plain")
    store.blob_path(info.digest).with_suffix(".json").unlink()  # the crash, simulated
    with pytest.raises(BlobNotFound):
        store.info(info.digest)

    store.put([b"crashed before its metadata"], "a.txt", "text/plain")

    assert store.info(info.digest) == info


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


CONTENT_CODE = "content = bytes(range(256)) * 16384  # 4 MiB, the same in every process"
WRITER_CODE = f"""
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from files_store import ContentStore
store = ContentStore(Path(sys.argv[2]))
{CONTENT_CODE}
print("ready", flush=True)
sys.stdin.readline()  # all writers start storing at the same moment
for _ in range(5):
    store.put((content[i : i + 65536] for i in range(0, len(content), 65536)), sys.argv[3], "x")
"""
READER_CODE = f"""
import hashlib, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from files_store import ContentStore, CorruptBlob
store = ContentStore(Path(sys.argv[2]))
{CONTENT_CODE}
digest, good, bad = hashlib.sha256(content).hexdigest(), 0, 0
print("ready", flush=True)
while not Path(sys.argv[3]).exists():  # until the test says the writers are done
    try:
        read = hashlib.sha256(b"".join(store.read(digest))).hexdigest()
        good, bad = (good + 1, bad) if read == digest else (good, bad + 1)
    except CorruptBlob:
        bad += 1
print(good, bad)
"""


def test_writers_in_parallel_processes_storing_the_same_content_leave_one_intact_blob(
    store, tmp_path
):
    lesson_folder = str(Path(__file__).resolve().parents[1])
    content = bytes(range(256)) * 16384
    store.put([content], "before.bin", "x")  # a blob readers can already read
    done = tmp_path / "writers-done"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_CODE, lesson_folder, str(store.root), str(done)],
        stdout=subprocess.PIPE,
        text=True,
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CODE, lesson_folder, str(store.root), f"copy-{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    assert reader.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.close()
    returncodes = [writer.wait() for writer in writers]
    done.touch()
    good, bad = map(int, reader.communicate()[0].split())
    for writer in writers:
        writer.stdout.close()

    assert returncodes == [0, 0, 0, 0]
    assert reader.returncode == 0
    assert bad == 0, f"a reader saw a half-written blob {bad} times (and a whole one {good})"
    assert good > 0
    [info] = store.list()
    assert (info.size, info.original_name) == (4 * 1024 * 1024, "before.bin")
    store.verify(info.digest)
    assert list(store.incoming.iterdir()) == []
