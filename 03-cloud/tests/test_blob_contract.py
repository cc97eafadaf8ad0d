"""The BlobStore contract: the same tests, run against local disk, S3, GCS and Azure."""

from __future__ import annotations

import hashlib
import os
import urllib.request
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from blob_storage import BlobNotFound, InvalidKey, LocalBlobStore


def fetch(store, url: str) -> bytes:
    """Download a store's URL as a browser would (the local store's is checked by the store)."""
    if isinstance(store, LocalBlobStore):
        return b"".join(store.open_url(url))
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


def test_a_stream_put_comes_back_byte_for_byte(blob_store):
    data = os.urandom(700_000)  # several chunks, not a multiple of any chunk size
    chunks = [data[start : start + 100_000] for start in range(0, len(data), 100_000)]

    size = blob_store.put("photos/cat.jpg", iter(chunks), content_type="image/jpeg")

    assert size == len(data)
    got = b"".join(blob_store.get("photos/cat.jpg"))
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_put_replaces_the_whole_blob(blob_store):
    blob_store.put("notes.txt", [b"a long first version"])
    blob_store.put("notes.txt", [b"short"])
    assert b"".join(blob_store.get("notes.txt")) == b"short"


def test_an_empty_blob_is_stored(blob_store):
    assert blob_store.put("empty.txt", iter([])) == 0
    assert blob_store.exists("empty.txt")
    assert b"".join(blob_store.get("empty.txt")) == b""


def test_a_missing_blob_raises_blob_not_found_when_get_is_called(blob_store):
    with pytest.raises(BlobNotFound):
        blob_store.get("never/stored.bin")  # at the call, before any chunk is read


def test_exists_and_delete(blob_store):
    blob_store.put("a.txt", [b"x"])
    assert blob_store.exists("a.txt")
    blob_store.delete("a.txt")
    assert not blob_store.exists("a.txt")
    blob_store.delete("a.txt")  # deleting what is not there is not an error


def test_list_by_prefix_is_sorted_and_stops_at_the_prefix(blob_store):
    for key in ("logs/2026/02.txt", "logs/2026/01.txt", "logs/2025/12.txt", "logsheet.txt"):
        blob_store.put(key, [b"x"])

    assert blob_store.list("logs/2026/") == ["logs/2026/01.txt", "logs/2026/02.txt"]
    assert blob_store.list("logs/") == ["logs/2025/12.txt", "logs/2026/01.txt", "logs/2026/02.txt"]
    assert len(blob_store.list()) == 4


def test_a_download_url_serves_the_blob_to_a_plain_http_client(blob_store):
    blob_store.put("report.csv", [b"month,total\n1,100\n"], content_type="text/csv")

    url = blob_store.download_url("report.csv", expires_in=300)

    assert fetch(blob_store, url) == b"month,total\n1,100\n"


@pytest.mark.parametrize("blob_store", ["s3", "gcs", "azure"], indirect=True)
def test_a_download_url_serves_the_content_type_given_to_put(blob_store):
    # the local store keeps no content type: the web app serving `open_url` sets it
    blob_store.put("report.csv", [b"month,total\n"], content_type="text/csv")

    url = blob_store.download_url("report.csv", expires_in=300)

    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "text/csv"


def test_a_put_that_fails_part_way_keeps_the_old_blob_and_adds_nothing(blob_store):
    blob_store.put("notes.txt", [b"old"])

    def failing():
        yield b"new, half"
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        blob_store.put("notes.txt", failing())
    assert b"".join(blob_store.get("notes.txt")) == b"old"
    assert blob_store.list() == ["notes.txt"]


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "a/../b", "a//b", "./a", "x" * 1025],
    ids=["empty", "absolute", "dot-dot", "empty segment", "dot", "1,025 bytes"],
)
def test_a_bad_key_is_refused_by_every_backend(blob_store, key):
    with pytest.raises(InvalidKey):
        blob_store.put(key, [b"x"])


def gcs_signature_matches(url: str, credentials) -> bool:
    """Rebuild a V4 signed URL's string to sign and sign it again (RSA PKCS#1 v1.5 is
    deterministic): equal only if the signature covers exactly this method, path and query."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = query.pop("X-Goog-Signature")
    canonical_query = "&".join(
        f"{quote(name, safe='~')}={quote(value, safe='~')}" for name, value in sorted(query.items())
    )
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    scope = query["X-Goog-Credential"].split("/", 1)[1]
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    to_sign = "\n".join(["GOOG4-RSA-SHA256", query["X-Goog-Date"], scope, digest])
    return credentials.sign_bytes(to_sign.encode()).hex() == signature


@pytest.mark.parametrize("blob_store", ["gcs"], indirect=True)
def test_a_gcs_download_url_is_signed_over_its_key_and_expiry(blob_store, gcs_signing_credentials):
    # the emulator serves any GET, signed or not, so the test checks the signature itself
    url = blob_store.download_url("reports/q1.csv", expires_in=300)
    query = dict(parse_qsl(urlsplit(url).query))

    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert query["X-Goog-Expires"] == "300"
    assert gcs_signature_matches(url, gcs_signing_credentials)
    for edited in (url.replace("q1.csv", "q2.csv"), url.replace("Expires=300", "Expires=900")):
        assert not gcs_signature_matches(edited, gcs_signing_credentials)


def test_the_s3_store_lists_past_the_first_page(settings, s3_bucket):
    from blob_s3 import S3BlobStore
    from s3_basics import make_s3_client

    client = make_s3_client(settings)  # its own: the hook below must not reach other tests
    requests: list[str] = []
    client.meta.events.register("after-call.s3.ListObjectsV2", lambda **_: requests.append("page"))
    store = S3BlobStore(client, s3_bucket, page_size=2)
    keys = [f"k{n}" for n in range(5)]
    for key in keys:
        store.put(key, [b"x"])

    assert store.list() == keys
    assert len(requests) == 3, "five keys, two a page: a listing that stops early misses some"
