"""Checks for ex02: `course check 03 ex02` runs them against your task."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_the_link_uploads_into_the_folder_of_the_user_with_the_guessed_type(s3_client, s3_bucket):
    url, content_type = task.upload_link(s3_client, s3_bucket, "u42", "cv.pdf", 300)

    answer = requests.put(url, data=b"%PDF", headers={"Content-Type": content_type}, timeout=10)

    assert content_type == "application/pdf"
    assert answer.status_code == 200, answer.text
    head = s3_client.head_object(Bucket=s3_bucket, Key="uploads/u42/cv.pdf")
    assert head["ContentType"] == "application/pdf"


def test_the_content_type_is_signed_so_the_upload_cannot_change_it(settings, s3_bucket):
    from s3_basics import make_s3_client

    # the lesson's client signs with Signature Version 4, which names the signed headers
    url, _ = task.upload_link(make_s3_client(settings), s3_bucket, "u42", "cv.pdf", 300)
    query = {key.lower(): value for key, value in parse_qs(urlsplit(url).query).items()}
    signed = query.get("x-amz-signedheaders", [""])[0].split(";")
    # moto stores whatever type a PUT sends, so look at the URL: S3 refuses another type only
    # when content-type is one of the signed headers
    assert "content-type" in signed, "pass ContentType in Params when you sign the URL"


@pytest.mark.docker_only(
    reason="moto stores whatever Content-Type a presigned PUT sends; S3 and MinIO refuse a "
    "type other than the signed one with 403; Docker mode (MinIO) runs this test"
)
def test_an_upload_with_another_content_type_is_refused(settings, s3_bucket):
    from s3_basics import make_s3_client

    url, _ = task.upload_link(make_s3_client(settings), s3_bucket, "u42", "cv.pdf", 300)
    answer = requests.put(url, data=b"<script>", headers={"Content-Type": "text/html"}, timeout=10)
    assert answer.status_code == 403


def test_an_unknown_extension_is_octet_stream(s3_client, s3_bucket):
    _, content_type = task.upload_link(s3_client, s3_bucket, "u42", "data.unknownext", 60)
    assert content_type == "application/octet-stream"


def test_the_link_carries_the_expiry_asked_for(s3_client, s3_bucket):
    url, _ = task.upload_link(s3_client, s3_bucket, "u42", "a.png", 120)
    query = {key.lower(): value for key, value in parse_qs(urlsplit(url).query).items()}
    expires = query.get("x-amz-expires") or query.get("expires")
    assert expires, "sign with client.generate_presigned_url(..., ExpiresIn=expires_in)"
    if "x-amz-expires" in query:
        assert expires == ["120"]


@pytest.mark.parametrize("filename", ["", "../other-user/x.pdf", "a/b.pdf", "a\\b.pdf", "..."])
def test_a_filename_that_leaves_the_folder_is_refused(s3_client, s3_bucket, filename):
    with pytest.raises(ValueError):
        task.upload_link(s3_client, s3_bucket, "u42", filename, 60)


@pytest.mark.parametrize("expires_in", [0, -5, 3601, 7 * 24 * 3600])
def test_an_expiry_outside_one_second_to_one_hour_is_refused(s3_client, s3_bucket, expires_in):
    with pytest.raises(ValueError):
        task.upload_link(s3_client, s3_bucket, "u42", "a.png", expires_in)
