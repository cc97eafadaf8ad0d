"""Big files: multipart uploads and downloads, checksums, progress, and failures cleaned up.

Running it shows, in a bucket of its own:
1. a 24 MiB stream uploaded in 8 MiB parts by 4 threads, with a progress bar, and S3 asked
   to check a SHA-256 checksum of every part;
2. the same object downloaded into a stream and its SHA-256 compared with the original's;
3. an upload whose source fails part way: the multipart upload is aborted, no object and
   no billed parts are left;
4. an upload over its size limit, stopped at the limit, with nothing left behind.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from collections.abc import Callable, Iterable
from typing import BinaryIO

from boto3.s3.transfer import TransferConfig
from s3_errors import StorageProblem

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB  # S3's minimum for every part but the last


class ObjectTooLarge(StorageProblem):
    """An upload went past its size limit; nothing was stored."""


def transfer_config(*, part_size: int = 8 * MIB, threads: int = 4) -> TransferConfig:
    """Multipart above `part_size`, in parts of that size, sent by `threads` threads."""
    return TransferConfig(
        multipart_threshold=part_size,
        multipart_chunksize=part_size,
        max_concurrency=threads,
        use_threads=threads > 1,
    )


def upload_stream(
    client,
    bucket_name: str,
    key: str,
    stream: BinaryIO,
    *,
    config: TransferConfig,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Upload a readable stream, in parts if it is big; S3 checks each part's SHA-256."""
    client.upload_fileobj(
        stream,
        bucket_name,
        key,
        ExtraArgs={"ChecksumAlgorithm": "SHA256"},
        Config=config,
        Callback=progress,  # called with the bytes sent since the last call, from any thread
    )


def download_stream(
    client,
    bucket_name: str,
    key: str,
    stream: BinaryIO,
    *,
    config: TransferConfig,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Download an object into a writable stream, by ranges in parallel if it is big."""
    client.download_fileobj(bucket_name, key, stream, Config=config, Callback=progress)


def checksum_sha256(data: bytes) -> str:
    """The base64 SHA-256 S3 uses in x-amz-checksum-sha256 (not the hex digest)."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def put_checked(client, bucket_name: str, key: str, body: bytes) -> str:
    """PUT with the body's SHA-256: S3 refuses (BadDigest) bytes damaged on the way."""
    client.put_object(
        Bucket=bucket_name, Key=key, Body=body,
        ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum_sha256(body),
    )  # fmt: skip
    return client.head_object(Bucket=bucket_name, Key=key, ChecksumMode="ENABLED")["ChecksumSHA256"]


def sha256_of_object(client, bucket_name: str, key: str) -> str:
    """Stream an object through SHA-256 without holding it in memory."""
    hasher = hashlib.sha256()
    body = client.get_object(Bucket=bucket_name, Key=key)["Body"]
    with body:
        for chunk in body.iter_chunks(chunk_size=MIB):
            hasher.update(chunk)
    return hasher.hexdigest()


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
    digests = b"".join(bytes.fromhex(part["ETag"].strip('"')) for part in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


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


def main() -> None:
    import os

    from rich.progress import Progress
    from s3_basics import make_s3_client

    import course
    from course.sandbox import temporary_bucket

    settings = course.require("s3")
    client = make_s3_client(settings)
    data = os.urandom(MIB) * 24
    config = transfer_config(part_size=8 * MIB, threads=4)
    with temporary_bucket(client, prefix="s3-transfer") as bucket_name:
        with Progress() as bars:
            bar = bars.add_task("1. uploading 24 MiB", total=len(data))
            upload_stream(client, bucket_name, "big.bin", io.BytesIO(data), config=config,
                          progress=lambda sent: bars.update(bar, advance=sent))  # fmt: skip
        head = client.head_object(Bucket=bucket_name, Key="big.bin", ChecksumMode="ENABLED")
        print(f"   stored: {head['ContentLength']:,} bytes, ETag {head['ETag']}")
        print("   (a multipart ETag is not the MD5 of the object: it ends in -<number of parts>)")
        downloaded = io.BytesIO()
        with Progress() as bars:
            bar = bars.add_task("2. downloading", total=len(data))
            download_stream(client, bucket_name, "big.bin", downloaded, config=config,
                            progress=lambda got: bars.update(bar, advance=got))  # fmt: skip
        same = hashlib.sha256(downloaded.getvalue()).hexdigest() == hashlib.sha256(data).hexdigest()
        size = downloaded.getbuffer().nbytes  # not tell(): parallel ranges end anywhere
        print(f"   downloaded {size:,} bytes; SHA-256 equal to the original: {same}")
        try:
            upload_with_limit(client, bucket_name, "broken.bin", failing_after(data, 12 * MIB),
                              max_bytes=len(data))  # fmt: skip
        except ConnectionResetError as error:
            uploads = client.list_multipart_uploads(Bucket=bucket_name).get("Uploads", [])
            keys = client.list_objects_v2(Bucket=bucket_name, Prefix="broken").get("KeyCount")
            print(f"3. {error}: aborted; unfinished uploads {len(uploads)}, objects {keys}")
        try:
            upload_with_limit(client, bucket_name, "huge.bin", iter([data]), max_bytes=10 * MIB)
        except ObjectTooLarge as problem:
            print(f"4. {problem}")
    print("Conclusion: big objects go in parts; check the bytes; abort what you do not finish.")


if __name__ == "__main__":
    main()
