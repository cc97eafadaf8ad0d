"""Big files: parts, checksums, progress, and nothing left behind by a failed upload."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from s3_transfer import MIB, download_stream, sha256_of_object, transfer_config, upload_stream
from s3_upload_limit import ObjectTooLarge, failing_after, upload_with_limit

SMALL_PART = 5 * MIB  # S3's minimum part size: the smallest multipart upload a test can make


def leftovers(s3_client, bucket: str) -> tuple[int, int]:
    """(unfinished multipart uploads, objects) in the bucket."""
    uploads = s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return len(uploads), s3_client.list_objects_v2(Bucket=bucket)["KeyCount"]


def test_a_stream_above_the_threshold_goes_up_in_parts_with_progress(s3_client, s3_bucket):
    data = os.urandom(11 * MIB)  # three parts: 5 + 5 + 1 MiB
    sent = []

    config = transfer_config(part_size=SMALL_PART, threads=2)
    upload_stream(s3_client, s3_bucket, "big.bin", io.BytesIO(data), config=config,
                  progress=sent.append)  # fmt: skip

    head = s3_client.head_object(Bucket=s3_bucket, Key="big.bin", ChecksumMode="ENABLED")
    assert head["ETag"].endswith('-3"'), "a multipart ETag ends in -<number of parts>"
    assert "ChecksumSHA256" in head, "S3 was asked to check SHA-256 (boto3's default is a CRC)"
    assert sum(sent) == len(data), "the progress callback saw every byte"
    assert sha256_of_object(s3_client, s3_bucket, "big.bin") == hashlib.sha256(data).hexdigest()


def test_a_download_into_a_stream_has_the_same_sha256(s3_client, s3_bucket):
    data = os.urandom(6 * MIB)
    s3_client.put_object(Bucket=s3_bucket, Key="f.bin", Body=data)
    downloaded = io.BytesIO()

    download_stream(s3_client, s3_bucket, "f.bin", downloaded,
                    config=transfer_config(part_size=SMALL_PART, threads=2))  # fmt: skip

    assert hashlib.sha256(downloaded.getvalue()).digest() == hashlib.sha256(data).digest()


def test_a_source_that_fails_part_way_leaves_no_object_and_no_parts(s3_client, s3_bucket):
    data = os.urandom(7 * MIB)  # one 5 MiB part is sent before the source fails
    with pytest.raises(ConnectionResetError):
        upload_with_limit(s3_client, s3_bucket, "broken.bin", failing_after(data, 6 * MIB),
                          max_bytes=len(data))  # fmt: skip
    assert leftovers(s3_client, s3_bucket) == (0, 0)


def test_an_upload_over_the_limit_stops_there_and_leaves_nothing(s3_client, s3_bucket):
    chunks_read = []

    def chunks():
        for number in range(100):
            chunks_read.append(number)
            yield b"x" * 1000

    with pytest.raises(ObjectTooLarge, match="larger than the limit of 10,000 bytes"):
        upload_with_limit(s3_client, s3_bucket, "big.bin", chunks(), max_bytes=10_000)
    assert len(chunks_read) == 11, "the upload stopped at the first chunk past the limit"
    assert leftovers(s3_client, s3_bucket) == (0, 0)


def test_an_upload_within_the_limit_completes_in_parts(s3_client, s3_bucket):
    data = os.urandom(6 * MIB)
    size = upload_with_limit(s3_client, s3_bucket, "ok.bin", failing_after(data, len(data)),
                             max_bytes=len(data))  # fmt: skip

    assert size == len(data)
    assert s3_client.head_object(Bucket=s3_bucket, Key="ok.bin")["ETag"].endswith('-2"')
    assert leftovers(s3_client, s3_bucket) == (0, 1)


def test_an_empty_stream_makes_an_empty_object(s3_client, s3_bucket):
    assert upload_with_limit(s3_client, s3_bucket, "empty", iter([]), max_bytes=10) == 0
    assert s3_client.head_object(Bucket=s3_bucket, Key="empty")["ContentLength"] == 0


def test_s3_stores_the_sha256_the_client_sent(s3_client, s3_bucket):
    from s3_transfer import checksum_sha256, put_checked

    assert put_checked(s3_client, s3_bucket, "a.txt", b"data") == checksum_sha256(b"data")


@pytest.mark.docker_only(
    reason="moto stores a PUT whose x-amz-checksum-sha256 does not match its body; "
    "S3 and MinIO refuse it with 400; Docker mode (MinIO) runs this test"
)
def test_a_put_whose_checksum_does_not_match_is_refused(s3_client, s3_bucket):
    from botocore.exceptions import ClientError
    from s3_transfer import checksum_sha256

    with pytest.raises(ClientError) as raised:
        s3_client.put_object(Bucket=s3_bucket, Key="a.txt", Body=b"data damaged",
                             ChecksumSHA256=checksum_sha256(b"data"))  # fmt: skip
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert leftovers(s3_client, s3_bucket) == (0, 0)


def fault(client, event: str, error: Exception) -> None:
    """Make every `event` of this client (a botocore hook, e.g. after-call.s3.X) raise `error`."""

    def hook(**_):
        raise error

    client.meta.events.register(event, hook)


@pytest.fixture
def faulty_client(settings):
    """A client of its own, so the faults a test injects never reach the other tests."""
    from s3_basics import make_s3_client

    return make_s3_client(settings)


def test_a_lost_answer_to_a_complete_that_happened_is_not_an_error(faulty_client, s3_bucket):
    from botocore.exceptions import ReadTimeoutError

    # after-call runs once S3 has answered: S3 completed the upload, the client never heard
    fault(
        faulty_client, "after-call.s3.CompleteMultipartUpload", ReadTimeoutError(endpoint_url="s3")
    )
    data = os.urandom(1000)  # one part, which may be small as it is the last

    size = upload_with_limit(faulty_client, s3_bucket, "k.bin", iter([data]), max_bytes=len(data))

    assert size == len(data)
    assert sha256_of_object(faulty_client, s3_bucket, "k.bin") == hashlib.sha256(data).hexdigest()
    assert leftovers(faulty_client, s3_bucket) == (0, 1)


def test_a_complete_that_never_reached_s3_is_aborted_with_its_own_error(faulty_client, s3_bucket):
    from botocore.exceptions import EndpointConnectionError

    fault(faulty_client, "before-call.s3.CompleteMultipartUpload",
          EndpointConnectionError(endpoint_url="s3"))  # fmt: skip
    with pytest.raises(EndpointConnectionError):
        upload_with_limit(faulty_client, s3_bucket, "k.bin", iter([b"abc"]), max_bytes=10)
    assert leftovers(faulty_client, s3_bucket) == (0, 0)


def test_a_failed_abort_keeps_the_first_error_and_says_the_parts_remain(
    faulty_client, s3_client, s3_bucket
):
    from botocore.exceptions import EndpointConnectionError

    fault(faulty_client, "before-call.s3.AbortMultipartUpload",
          EndpointConnectionError(endpoint_url="s3"))  # fmt: skip
    with pytest.raises(ConnectionResetError) as raised:
        upload_with_limit(faulty_client, s3_bucket, "k.bin", failing_after(b"x", 0), max_bytes=10)
    assert "lifecycle rule" in " ".join(raised.value.__notes__)
    uploads = s3_client.list_multipart_uploads(Bucket=s3_bucket)["Uploads"]
    assert len(uploads) == 1, "the abort could not reach S3, so the parts stay"
    s3_client.abort_multipart_upload(Bucket=s3_bucket, Key="k.bin", UploadId=uploads[0]["UploadId"])
