"""S3 basics: a client from settings, objects with their headers, copies and deletes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_basics import copy, create_bucket, delete, get_bytes, head, make_s3_client, put_bytes


def test_the_client_uses_the_endpoint_region_and_keys_from_settings(settings):
    other = settings.model_copy(
        update={"s3_endpoint_url": "http://127.0.0.1:1", "aws_default_region": "eu-west-1",
                "aws_access_key_id": "from-settings"}
    )  # fmt: skip
    client = make_s3_client(other, retry_mode="adaptive", total_attempts=5)

    assert client.meta.endpoint_url == "http://127.0.0.1:1"
    assert client.meta.region_name == "eu-west-1"
    assert client._request_signer._credentials.access_key == "from-settings"
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 5}


@pytest.mark.parametrize(
    ("endpoint", "url_start"),
    [
        ("https://s3.eu-west-1.amazonaws.com", "https://my-bucket.s3.eu-west-1.amazonaws.com/k"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/my-bucket/k"),
    ],
)
def test_aws_gets_virtual_hosted_urls_and_a_local_server_path_style(settings, endpoint, url_start):
    client = make_s3_client(settings.model_copy(update={"s3_endpoint_url": endpoint}))

    # signing a URL is local: nothing is sent
    url = client.generate_presigned_url("get_object", Params={"Bucket": "my-bucket", "Key": "k"})
    assert url.startswith(url_start + "?")


def test_an_object_keeps_its_content_type_and_metadata(s3_client, s3_bucket):
    put_bytes(s3_client, s3_bucket, "a/report.csv", b"x,y\n", content_type="text/csv",
              metadata={"uploaded-by": "ada"})  # fmt: skip

    info = head(s3_client, s3_bucket, "a/report.csv")

    assert get_bytes(s3_client, s3_bucket, "a/report.csv") == b"x,y\n"
    assert (info.size, info.content_type, info.metadata) == (4, "text/csv", {"uploaded-by": "ada"})


def test_a_copy_has_the_same_bytes_and_etag_and_a_delete_removes_only_the_original(
    s3_client, s3_bucket
):
    etag = put_bytes(s3_client, s3_bucket, "original.txt", b"hello")
    copy(s3_client, s3_bucket, "original.txt", "copy.txt")
    delete(s3_client, s3_bucket, "original.txt")

    assert head(s3_client, s3_bucket, "copy.txt").etag == etag
    with pytest.raises(ClientError) as raised:
        get_bytes(s3_client, s3_bucket, "original.txt")
    assert raised.value.response["Error"]["Code"] == "NoSuchKey"


def test_a_bucket_outside_us_east_1_names_its_region(s3_client, unique_name):
    create_bucket(s3_client, unique_name, "eu-central-1")
    try:
        location = s3_client.get_bucket_location(Bucket=unique_name)["LocationConstraint"]
        assert location == "eu-central-1"
    finally:
        s3_client.delete_bucket(Bucket=unique_name)
