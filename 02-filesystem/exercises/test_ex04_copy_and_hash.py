"""Checks for ex04: `course check 02 ex04` runs them against your task."""

import hashlib
import os
import tracemalloc

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_the_copy_is_identical_and_the_digest_is_its_sha256(tmp_path):
    source = tmp_path / "photo.jpg"
    source.write_bytes(os.urandom(300_000))

    digest = task.copy_and_hash(source, tmp_path / "copy.jpg")

    assert (tmp_path / "copy.jpg").read_bytes() == source.read_bytes(), "the copy differs"
    assert digest == hashlib.sha256(source.read_bytes()).hexdigest(), "wrong digest"


def test_an_empty_file_copies_and_hashes(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    assert task.copy_and_hash(tmp_path / "empty", tmp_path / "copy") == hashlib.sha256().hexdigest()
    assert (tmp_path / "copy").read_bytes() == b""


def test_copying_8_mib_keeps_memory_under_1_mib(tmp_path):
    source = tmp_path / "big.bin"
    with open(source, "wb") as file:
        for _ in range(8):
            file.write(os.urandom(1024 * 1024))

    tracemalloc.start()
    try:
        task.copy_and_hash(source, tmp_path / "copy.bin")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 1024 * 1024, f"peak memory {peak:,} bytes: read in chunks, not the whole file"


def test_a_missing_source_raises_and_leaves_no_destination(tmp_path):
    with pytest.raises(FileNotFoundError):
        task.copy_and_hash(tmp_path / "missing.bin", tmp_path / "copy.bin")
    assert list(tmp_path.iterdir()) == [], "a failed copy must leave nothing behind"
