"""Presigned URLs: let a browser download or upload one object, without your keys.

Running it shows, in a bucket of its own, with `requests` standing in for a browser:
1. a presigned GET: anyone holding the URL downloads the object until it expires;
2. a presigned PUT: an upload of one key, with the content type that was signed;
3. a presigned POST (an HTML form upload) with conditions: a size range and a content type;
4. expiry and tampering refused: on Azure SAS URLs (Azurite enforces both); on S3 only in
   Docker mode (MinIO), because the embedded S3, moto, does not check them.
"""

from __future__ import annotations

import logging

import requests

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


def presigned_download_url(client, bucket_name: str, key: str, *, expires_in: int) -> str:
    """A URL that GETs one object until `expires_in` seconds from now."""
    return client.generate_presigned_url(
        "get_object", Params={"Bucket": bucket_name, "Key": key}, ExpiresIn=expires_in
    )


def presigned_upload_url(
    client, bucket_name: str, key: str, *, content_type: str, expires_in: int
) -> str:
    """A URL that PUTs one key; the upload must send the same Content-Type header."""
    return client.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket_name, "Key": key, "ContentType": content_type},
        ExpiresIn=expires_in,
    )


def presigned_form(
    client,
    bucket_name: str,
    key: str,
    *,
    max_bytes: int,
    content_type: str,
    expires_in: int,
) -> dict:
    """The URL and form fields of an HTML upload form: one key, a size range, one type."""
    return client.generate_presigned_post(
        Bucket=bucket_name,
        Key=key,
        Fields={"Content-Type": content_type},
        # S3 refuses a form upload that breaks a condition; a field in Fields needs one too
        Conditions=[["content-length-range", 1, max_bytes], {"Content-Type": content_type}],
        ExpiresIn=expires_in,
    )


def download(url: str) -> requests.Response:
    """GET a URL as a browser would: no credentials, only the URL."""
    return requests.get(url, timeout=TIMEOUT_SECONDS)


def upload(url: str, body: bytes, *, content_type: str) -> requests.Response:
    """PUT bytes to a presigned upload URL."""
    return requests.put(
        url, data=body, headers={"Content-Type": content_type}, timeout=TIMEOUT_SECONDS
    )


def upload_with_form(form: dict, body: bytes, *, filename: str) -> requests.Response:
    """POST bytes as a browser submits the form: the signed fields, then the file."""
    # the file must be the last field of the form; S3 ignores fields after it
    return requests.post(
        form["url"], data=form["fields"], files={"file": (filename, body)}, timeout=TIMEOUT_SECONDS
    )


def tampered(url: str, old: str, new: str) -> str:
    """The URL with one part changed, as an attacker would edit it (the signature stays)."""
    return url.replace(old, new, 1)


def main() -> None:
    from s3_basics import make_s3_client

    import course
    from course.sandbox import temporary_bucket

    settings = course.require("s3")
    client = make_s3_client(settings)
    with temporary_bucket(client, prefix="s3-presigned") as bucket_name:
        client.put_object(Bucket=bucket_name, Key="invoices/42.pdf", Body=b"%PDF-1.7 invoice 42")
        url = presigned_download_url(client, bucket_name, "invoices/42.pdf", expires_in=300)
        answer = download(url)
        print(f"1. presigned GET, no credentials: {answer.status_code}, {answer.content!r}")
        print(f"   {url.split('?')[0]}?X-Amz-Expires=300&X-Amz-Signature=...")
        put_url = presigned_upload_url(
            client, bucket_name, "avatars/ada.png", content_type="image/png", expires_in=300
        )
        answer = upload(put_url, b"\x89PNG...", content_type="image/png")
        stored = client.head_object(Bucket=bucket_name, Key="avatars/ada.png")["ContentType"]
        print(f"2. presigned PUT: {answer.status_code}; stored as {stored}")
        form = presigned_form(
            client, bucket_name, "uploads/cv.pdf",
            max_bytes=1_000_000, content_type="application/pdf", expires_in=300,
        )  # fmt: skip
        answer = upload_with_form(form, b"%PDF-1.7 cv", filename="cv.pdf")
        print(f"3. presigned POST form with fields {sorted(form['fields'])}: {answer.status_code}")
    print("4. expiry and tampering refused: see blob_azure_sas.py (Azurite checks SAS URLs), and")
    print("   the docker_only tests in tests/test_s3_presigned.py (MinIO checks S3's)")
    print("Conclusion: a presigned URL is a bearer token for one action: short expiry, one key.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
