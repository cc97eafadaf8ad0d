"""Presigned URLs from a browser's view: what they allow, and (in Docker mode) what they refuse."""

from __future__ import annotations

import time

import pytest
from s3_presigned import (
    download,
    presigned_download_url,
    presigned_form,
    presigned_upload_url,
    tampered,
    upload,
    upload_with_form,
)

MOTO_GAP = (
    "moto accepts presigned URLs that are expired, edited or over a POST's size range; "
    "Docker mode (MinIO) runs this test, and test_blob_azure_sas.py shows the refusals here"
)


@pytest.fixture
def invoice(s3_client, s3_bucket):
    s3_client.put_object(Bucket=s3_bucket, Key="invoices/42.pdf", Body=b"%PDF invoice 42")
    s3_client.put_object(Bucket=s3_bucket, Key="invoices/43.pdf", Body=b"%PDF someone else's")
    return s3_bucket


def test_a_presigned_get_works_without_credentials(s3_client, invoice):
    url = presigned_download_url(s3_client, invoice, "invoices/42.pdf", expires_in=60)
    answer = download(url)
    assert (answer.status_code, answer.content) == (200, b"%PDF invoice 42")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url


def test_a_presigned_put_stores_the_upload_with_its_content_type(s3_client, s3_bucket):
    url = presigned_upload_url(
        s3_client, s3_bucket, "a.png", content_type="image/png", expires_in=60
    )
    assert upload(url, b"\x89PNG", content_type="image/png").status_code == 200
    head = s3_client.head_object(Bucket=s3_bucket, Key="a.png")
    assert (head["ContentType"], head["ContentLength"]) == ("image/png", 4)


def test_a_presigned_post_form_uploads_a_file_within_its_conditions(s3_client, s3_bucket):
    form = presigned_form(s3_client, s3_bucket, "uploads/cv.pdf", max_bytes=1000,
                          content_type="application/pdf", expires_in=60)  # fmt: skip
    answer = upload_with_form(form, b"%PDF cv", filename="cv.pdf")
    assert answer.status_code in (200, 204)
    assert s3_client.get_object(Bucket=s3_bucket, Key="uploads/cv.pdf")["Body"].read() == b"%PDF cv"


@pytest.mark.docker_only(reason=MOTO_GAP)
def test_an_expired_presigned_url_is_refused(s3_client, invoice):
    url = presigned_download_url(s3_client, invoice, "invoices/42.pdf", expires_in=1)
    deadline = time.monotonic() + 5
    while download(url).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)  # the URL lives one second; poll until it has expired
    assert download(url).status_code == 403


@pytest.mark.docker_only(reason=MOTO_GAP)
def test_a_presigned_url_edited_to_another_key_is_refused(s3_client, invoice):
    url = presigned_download_url(s3_client, invoice, "invoices/42.pdf", expires_in=60)
    assert download(tampered(url, "invoices/42.pdf", "invoices/43.pdf")).status_code == 403


@pytest.mark.docker_only(reason=MOTO_GAP)
def test_a_form_upload_over_its_size_range_is_refused_and_stores_nothing(s3_client, s3_bucket):
    form = presigned_form(s3_client, s3_bucket, "uploads/cv.pdf", max_bytes=1000,
                          content_type="application/pdf", expires_in=60)  # fmt: skip
    answer = upload_with_form(form, b"x" * 2000, filename="cv.pdf")
    assert answer.status_code == 400 and b"EntityTooLarge" in answer.content
    assert s3_client.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0
