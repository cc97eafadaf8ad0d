"""Bad input, handled: one clear line for each S3 problem, decided by error codes, not text.

Running it provokes what goes wrong with object storage and prints the line each gets:
1. a bucket that does not exist, and a key that does not exist;
2. a wrong endpoint (nothing listens there), and a storage server stopped mid-session;
3. a wrong secret key, on a server of its own that checks signatures;
4. an object larger than the limit: the upload stops and no half object is left.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

logger = logging.getLogger(__name__)

# S3's error codes (ClientError.response["Error"]["Code"]) and what a user can do about each.
# HEAD requests have no body to carry a code, so a missing key on head_object is just "404".
MESSAGES = {
    "NoSuchBucket": "bucket {bucket!r} does not exist; create it, or check S3_BUCKET",
    "NoSuchKey": "no object {key!r} in bucket {bucket!r}; check the key (keys are case-sensitive)",
    "404": "no object {key!r} in bucket {bucket!r}; check the key (keys are case-sensitive)",
    "AccessDenied": (
        "access denied to {key!r} in {bucket!r}: these credentials' policy does not allow it"
    ),
    "403": "access denied to {key!r} in {bucket!r}: these credentials' policy does not allow it",
    "SignatureDoesNotMatch": (
        "the secret key does not match the access key id; check AWS_SECRET_ACCESS_KEY"
    ),
    "InvalidAccessKeyId": "the access key id is unknown to the server; check AWS_ACCESS_KEY_ID",
    "EntityTooLarge": "the upload is too large: over 5 GiB for one PUT (use a multipart "
    "upload), or over the size range of the POST form it was sent with",
    "BucketAlreadyOwnedByYou": "bucket {bucket!r} exists already (and is yours)",
}


class StorageProblem(Exception):
    """An object-storage call failed for a reason the user can fix; the message says how."""


def explain(error: Exception, *, bucket: str = "", key: str = "", endpoint: str = "") -> str:
    """Turn a boto3 exception into one line: what is wrong, and what to do."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        template = MESSAGES.get(code)
        if template:
            return template.format(bucket=bucket, key=key)
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"S3 refused the request ({code or 'no code'}, HTTP {status}) for {key!r}"
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        return (
            f"no S3 server answers at {endpoint or 'the endpoint'}; check S3_ENDPOINT_URL, "
            "or start the services with `make services-up`"
        )
    if isinstance(error, NoCredentialsError):
        return "no credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    return f"{type(error).__name__}: {error}"


@contextlib.contextmanager
def reported(*, bucket: str = "", key: str = "", endpoint: str = "") -> Iterator[None]:
    """Re-raise boto3 errors inside the block as one StorageProblem line."""
    try:
        yield
    except (ClientError, EndpointConnectionError, ConnectTimeoutError, NoCredentialsError) as error:
        logger.debug("S3 call failed", exc_info=True)
        raise StorageProblem(explain(error, bucket=bucket, key=key, endpoint=endpoint)) from None


def error_code(error: ClientError) -> str:
    """The S3 error code of a ClientError ("NoSuchKey", "AccessDenied", ...)."""
    return error.response.get("Error", {}).get("Code", "")


def main() -> None:
    from s3_basics import get_bytes, make_s3_client
    from s3_credentials import locked_down_server
    from s3_upload_limit import ObjectTooLarge, upload_with_limit

    import course
    from course.sandbox import temporary_bucket
    from course.services.private import private_server

    settings = course.require("s3")
    client = make_s3_client(settings)
    with temporary_bucket(client, prefix="s3-errors") as bucket_name:
        for bucket, key in ((bucket_name + "-missing", "a.txt"), (bucket_name, "missing.txt")):
            try:
                with reported(bucket=bucket, key=key):
                    get_bytes(client, bucket, key)
            except StorageProblem as problem:
                print(f"1. {problem}")
        nowhere = settings.model_copy(update={"s3_endpoint_url": "http://127.0.0.1:9"})
        try:
            with reported(endpoint=nowhere.s3_endpoint_url):
                make_s3_client(nowhere, total_attempts=1).list_buckets()
        except StorageProblem as problem:
            print(f"2. {problem}")
    with private_server("s3") as server:
        own = settings.model_copy(update=server.url_settings)
        own_client = make_s3_client(own, total_attempts=1)
        own_client.list_buckets()
        server.stop()  # the fault: the storage server goes away mid-session
        try:
            with reported(endpoint=own.s3_endpoint_url):
                own_client.list_buckets()
        except StorageProblem as problem:
            print(f"2. after the server stopped: {problem}")
    # a wrong secret needs a server that checks signatures: moto does, with auth turned on
    with locked_down_server(settings) as server:
        wrong = server.reporter.model_copy(update={"aws_secret_access_key": "not-the-secret"})  # nosec B105  # a wrong secret, refused on purpose
        try:
            with reported():
                make_s3_client(wrong, total_attempts=1).list_objects_v2(Bucket=server.bucket_name)
        except StorageProblem as problem:
            print(f"3. {problem}")
    with temporary_bucket(client, prefix="s3-errors") as bucket_name:
        try:
            upload_with_limit(
                client, bucket_name, "too-big.bin", iter([b"x" * 1024] * 64), max_bytes=10_000
            )
        except ObjectTooLarge as problem:
            left = client.list_multipart_uploads(Bucket=bucket_name).get("Uploads", [])
            print(f"4. {problem}; unfinished uploads left: {len(left)}")
    print("Conclusion: branch on error codes; every problem gets one line and a fix.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
