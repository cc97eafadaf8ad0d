"""The local store's own promises: atomic puts and links that cannot be edited or reused late."""

from __future__ import annotations

import os
import time

import pytest
from blob_storage import LocalBlobStore


@pytest.fixture
def store(tmp_path):
    return LocalBlobStore(tmp_path / "blobs", url_key=os.urandom(32))


def test_a_put_that_fails_part_way_keeps_the_old_blob_and_no_temporary_file(store):
    store.put("a.txt", [b"old"])

    def failing():
        yield b"new, half"
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        store.put("a.txt", failing())
    assert b"".join(store.get("a.txt")) == b"old"
    assert store.list() == ["a.txt"]


def test_an_edited_link_is_refused(store):
    store.put("mine.txt", [b"x"])
    store.put("theirs.txt", [b"secret"])
    url = store.download_url("mine.txt", expires_in=60)
    with pytest.raises(PermissionError, match="altered"):
        store.open_url(url.replace("mine.txt", "theirs.txt"))


def test_an_expired_link_is_refused(store, monkeypatch):
    store.put("a.txt", [b"x"])
    url = store.download_url("a.txt", expires_in=60)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(PermissionError, match="expired"):
        store.open_url(url)


def test_a_link_signed_with_another_key_is_refused(store, tmp_path):
    store.put("a.txt", [b"x"])
    other = LocalBlobStore(tmp_path / "blobs", url_key=os.urandom(32))
    with pytest.raises(PermissionError):
        store.open_url(other.download_url("a.txt", expires_in=60))


def test_a_key_too_long_is_measured_in_bytes_not_characters(store):
    from blob_storage import InvalidKey

    with pytest.raises(InvalidKey, match="not 1,400"):
        store.put("é" * 700, [b"x"])  # 700 characters, 1,400 bytes of UTF-8


def test_keys_the_local_disk_cannot_hold_get_one_clear_error(store):
    from blob_storage import InvalidKey

    store.put("a", [b"x"])
    with pytest.raises(InvalidKey, match="cannot also be a folder"):
        store.put("a/b", [b"y"])  # a file cannot be a folder; every cloud allows both keys
    with pytest.raises(InvalidKey, match="incoming"):
        store.put("x/.incoming-notes.txt", [b"z"])  # it would be stored but never listed
