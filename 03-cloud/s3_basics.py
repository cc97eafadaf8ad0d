"""S3 with boto3: a client from settings, then put, get, head, copy and delete one object.

Running it shows, in a bucket of its own that it deletes at the end:
1. the client: endpoint, region and credentials read from the course settings, never code;
2. an object written with a content type and user metadata, then read back;
3. `head_object`: the size, type, ETag and metadata without downloading the body;
4. a server-side copy (the bytes never pass through this program) and a delete;
5. what a read of a missing key raises, as a `ClientError` with a code, not a message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from course.settings import Settings

logger = logging.getLogger(__name__)


def make_s3_client(settings: Settings, *, retry_mode: str = "standard", total_attempts: int = 3):
    """Create an S3 client for the endpoint, region and credentials in `settings`."""
    # Credentials come from the settings (the environment or .env), never from this file.
    # Path-style addressing (`http://host/bucket/key`) works with every local S3 server; AWS
    # deprecates it and some features need virtual-hosted style (`http://bucket.host/key`)
    on_aws = (urlsplit(settings.s3_endpoint_url).hostname or "").endswith(".amazonaws.com")
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key,
        region_name=settings.aws_default_region,
        config=Config(
            s3={"addressing_style": "virtual" if on_aws else "path"},
            # Signature Version 4 for every request and presigned URL (AWS retired SigV2)
            signature_version="s3v4",
            connect_timeout=3,
            read_timeout=30,
            # "standard" retries throttling and 5xx answers with backoff; "adaptive" also
            # slows the client down when the server throttles it
            # total_max_attempts counts the first try; the older "max_attempts" counts retries
            retries={"mode": retry_mode, "total_max_attempts": total_attempts},
        ),
    )


@dataclass(frozen=True)
class ObjectInfo:
    """What `head_object` says about an object, without its body."""

    key: str
    size: int
    content_type: str
    etag: str
    metadata: dict[str, str]


def create_bucket(client, bucket_name: str, region: str) -> None:
    """Create a bucket; outside us-east-1, S3 needs the region named in the request."""
    if region == "us-east-1":
        client.create_bucket(Bucket=bucket_name)
    else:
        client.create_bucket(
            Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": region}
        )


def put_bytes(
    client,
    bucket_name: str,
    key: str,
    body: bytes,
    *,
    content_type: str = "application/octet-stream",
    metadata: dict[str, str] | None = None,
) -> str:
    """Store `body` under `key` with its content type and user metadata; return the ETag."""
    answer = client.put_object(
        Bucket=bucket_name, Key=key, Body=body, ContentType=content_type, Metadata=metadata or {}
    )
    logger.info("put s3://%s/%s (%d bytes)", bucket_name, key, len(body))
    return answer["ETag"]


def get_bytes(client, bucket_name: str, key: str) -> bytes:
    """Read a whole object (fine for small ones; stream big ones, see s3_transfer)."""
    answer = client.get_object(Bucket=bucket_name, Key=key)
    with answer["Body"] as body:
        return body.read()


def head(client, bucket_name: str, key: str) -> ObjectInfo:
    """Read an object's size, type, ETag and metadata without its body."""
    answer = client.head_object(Bucket=bucket_name, Key=key)
    return ObjectInfo(
        key, answer["ContentLength"], answer["ContentType"], answer["ETag"], answer["Metadata"]
    )


def copy(client, bucket_name: str, source_key: str, target_key: str) -> None:
    """Copy an object inside S3: the server copies, nothing is downloaded."""
    client.copy_object(
        Bucket=bucket_name, Key=target_key, CopySource={"Bucket": bucket_name, "Key": source_key}
    )


def delete(client, bucket_name: str, key: str) -> None:
    """Delete an object (deleting a key that does not exist also succeeds)."""
    client.delete_object(Bucket=bucket_name, Key=key)


def main() -> None:
    from botocore.exceptions import ClientError

    import course
    from course.sandbox import temporary_bucket

    settings = course.require("s3")
    client = make_s3_client(settings)
    print(f"1. client for {settings.s3_endpoint_url}, region {settings.aws_default_region},")
    where = settings.source("aws_access_key_id")  # the environment, .env, or the default
    print(f"   key id {settings.aws_access_key_id!r}, taken from {where} of the course settings")
    with temporary_bucket(client, prefix="s3-basics") as bucket_name:
        metadata = {"uploaded-by": "ada", "original-name": "report 2026.csv"}
        put_bytes(
            client, bucket_name, "reports/2026.csv", b"month,total\n1,100\n",
            content_type="text/csv", metadata=metadata,
        )  # fmt: skip
        body = get_bytes(client, bucket_name, "reports/2026.csv")
        print(f"2. put and got back {len(body)} bytes: {body!r}")
        info = head(client, bucket_name, "reports/2026.csv")
        print(f"3. head: {info.size} bytes, {info.content_type}, ETag {info.etag},")
        print(f"   metadata {info.metadata} (sent as x-amz-meta-* headers)")
        copy(client, bucket_name, "reports/2026.csv", "archive/2026.csv")
        delete(client, bucket_name, "reports/2026.csv")
        print(f"4. copied to archive/2026.csv and deleted the original: {info.etag} ==",
              head(client, bucket_name, "archive/2026.csv").etag)  # fmt: skip
        try:
            get_bytes(client, bucket_name, "reports/2026.csv")
        except ClientError as error:
            code = error.response["Error"]["Code"]
            print(f"5. reading the deleted key raises ClientError with code {code!r};")
            print("   s3_errors.py turns such codes into one clear line")
    print("Conclusion: an object is a key, bytes and a few headers; there is no file to open.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
