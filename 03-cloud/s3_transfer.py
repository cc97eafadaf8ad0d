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
from collections.abc import Callable
from typing import BinaryIO

from boto3.s3.transfer import TransferConfig
from s3_upload_limit import MIB, ObjectTooLarge, failing_after, upload_with_limit

logger = logging.getLogger(__name__)


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
    import course

    course.script_arguments()
    main()
