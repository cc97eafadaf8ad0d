"""The BlobStore on Amazon S3 (or any S3-compatible server), with boto3.

A put streams through `upload_fileobj`, which sends one PUT for a small blob and a
multipart upload for a big one; a download URL is a presigned GET.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from blob_storage import CHUNK_SIZE, BlobNotFound, Counted, as_reader, check_key
from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

MISSING = {"NoSuchKey", "404"}  # get_object says NoSuchKey; head_object has no body: "404"


class S3BlobStore:
    """Blobs as objects in one S3 bucket."""

    def __init__(self, client, bucket_name: str, *, page_size: int = 1000):
        # page_size: keys a listing asks for per request (S3's maximum is 1,000)
        self.client, self.bucket_name, self.page_size = client, bucket_name, page_size

    def put(self, key: str, chunks: Iterable[bytes], *, content_type: str = "") -> int:
        counted = Counted(chunks)
        extra = {"ContentType": content_type} if content_type else {}
        self.client.upload_fileobj(
            as_reader(counted), self.bucket_name, check_key(key), ExtraArgs=extra
        )
        return counted.size

    def get(self, key: str) -> Iterator[bytes]:
        try:
            answer = self.client.get_object(Bucket=self.bucket_name, Key=check_key(key))
        except ClientError as error:
            if error.response["Error"]["Code"] in MISSING:
                raise BlobNotFound(key) from None
            raise
        return answer["Body"].iter_chunks(chunk_size=CHUNK_SIZE)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket_name, Key=check_key(key))
        except ClientError as error:
            if error.response["Error"]["Code"] in MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket_name, Key=check_key(key))

    def list(self, prefix: str = "") -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket_name, Prefix=prefix, PaginationConfig={"PageSize": self.page_size}
        )
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", []))

    def download_url(self, key: str, *, expires_in: int) -> str:
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket_name, "Key": check_key(key)},
            ExpiresIn=expires_in,
        )
