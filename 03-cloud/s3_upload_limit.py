"""An upload the lesson controls itself: a stream of chunks, a size limit, nothing left behind.

`upload_with_limit` sends a multipart upload part by part as the chunks arrive, so memory
holds one part whatever the size. A failure before Complete aborts the upload; a failed
Complete is checked with ListParts and the ETag before anything is aborted; a failed abort
is noted on the first error instead of replacing it. `s3_transfer.py` runs it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from s3_errors import StorageProblem

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB  # S3's minimum for every part but the last


class ObjectTooLarge(StorageProblem):
    """An upload went past its size limit; nothing was stored."""


def upload_with_limit(
    client,
    bucket_name: str,
    key: str,
    chunks: Iterable[bytes],
    *,
    max_bytes: int,
    part_size: int = MIN_PART_SIZE,
) -> int:
    """Upload a stream of chunks as a multipart upload; abort it on any failure or past max_bytes.

    Nothing is visible under `key` until the upload completes, and an aborted upload leaves no
    parts behind. If the answer to Complete is lost, ListParts tells whether S3 completed it.
    """
    upload_id = client.create_multipart_upload(Bucket=bucket_name, Key=key)["UploadId"]
    parts, buffer, size = [], bytearray(), 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise ObjectTooLarge(
                    f"{key!r} is larger than the limit of {max_bytes:,} bytes; nothing was stored"
                )
            buffer += chunk
            while len(buffer) >= part_size:
                part = bytes(buffer[:part_size])
                parts.append(send_part(client, bucket_name, key, upload_id, len(parts) + 1, part))
                del buffer[:part_size]
        if buffer or not parts:  # the last part may be smaller than 5 MiB, even empty
            part = bytes(buffer)
            parts.append(send_part(client, bucket_name, key, upload_id, len(parts) + 1, part))
    except BaseException as error:
        # the parts uploaded so far are stored (and billed) until the upload is aborted
        abort_keeping_error(client, bucket_name, key, upload_id, error)
        raise
    try:
        client.complete_multipart_upload(
            Bucket=bucket_name, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException as error:
        # S3 may have completed it and the answer got lost: then the object is ours, whole
        gone = still_open(client, bucket_name, key, upload_id, error) is False
        if gone and stored_etag(client, bucket_name, key) == multipart_etag(parts):
            logger.warning("the answer to Complete was lost, but %s was completed", key)
            return size
        abort_keeping_error(client, bucket_name, key, upload_id, error)
        raise
    return size


def still_open(client, bucket_name: str, key: str, upload_id: str, error: BaseException):
    """True if the upload still takes parts, False if it is gone, None if S3 cannot be asked."""
    try:
        client.list_parts(Bucket=bucket_name, Key=key, UploadId=upload_id, MaxParts=1)
    except client.exceptions.NoSuchUpload:
        return False
    except Exception as check_error:  # S3 unreachable: we cannot know; keep the first error
        error.add_note(f"could not check the upload afterwards: {check_error}")
        return None
    return True


def multipart_etag(parts: list[dict]) -> str:
    """The ETag S3 gives a completed multipart upload: MD5 of the parts' MD5s, -<parts>."""
    # true for unencrypted and SSE-S3 objects; under SSE-KMS the part ETags are not MD5s, so
    # a lost answer to Complete is then reported as the original error, the object kept
    digests = b"".join(bytes.fromhex(part["ETag"].strip('"')) for part in parts)
    return f'"{hashlib.md5(digests, usedforsecurity=False).hexdigest()}-{len(parts)}"'


def stored_etag(client, bucket_name: str, key: str) -> str | None:
    """The ETag of the object under `key`, or None if there is none (or S3 cannot say)."""
    try:
        return client.head_object(Bucket=bucket_name, Key=key)["ETag"]
    except Exception:  # missing or unreachable: either way not proof that our upload completed
        return None


def abort_keeping_error(client, bucket_name: str, key: str, upload_id: str, error: BaseException):
    """Abort the upload; if that fails too, note it on `error` instead of replacing it."""
    try:
        client.abort_multipart_upload(Bucket=bucket_name, Key=key, UploadId=upload_id)
        logger.info("aborted the upload of %s", key)
    except Exception as abort_error:
        logger.warning("could not abort the upload of %s: %s", key, abort_error)
        error.add_note(
            f"the abort failed too ({abort_error}); the bucket's lifecycle rule removes the "
            f"parts of upload {upload_id} after 7 days"
        )


def send_part(client, bucket_name: str, key: str, upload_id: str, number: int, body: bytes):
    """Upload part `number` of an upload; return the entry complete_multipart_upload needs."""
    answer = client.upload_part(
        Bucket=bucket_name, Key=key, UploadId=upload_id, PartNumber=number, Body=body
    )
    return {"PartNumber": number, "ETag": answer["ETag"]}


def failing_after(data: bytes, fail_at: int) -> Iterable[bytes]:
    """Yield `data` in 1 MiB chunks, then fail like a dropped connection at `fail_at` bytes."""
    for start in range(0, len(data), MIB):
        if start >= fail_at:
            raise ConnectionResetError(f"the source went away after {start:,} bytes")
        yield data[start : start + MIB]
