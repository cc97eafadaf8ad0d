"""Every S3 problem becomes one line that says what is wrong and how to fix it."""

from __future__ import annotations

import pytest
from s3_basics import get_bytes, make_s3_client
from s3_errors import StorageProblem, explain, reported

from course.services.private import private_server


def problem_of(action, **where) -> str:
    with pytest.raises(StorageProblem) as raised, reported(**where):
        action()
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_missing_bucket_is_named(s3_client, s3_bucket):
    missing = s3_bucket + "-gone"
    message = problem_of(
        lambda: get_bytes(s3_client, missing, "a.txt"), bucket=missing, key="a.txt"
    )
    assert message == f"bucket {missing!r} does not exist; create it, or check S3_BUCKET"


def test_a_missing_key_is_named_on_get_and_on_head(s3_client, s3_bucket):
    where = {"bucket": s3_bucket, "key": "nope.txt"}
    on_get = problem_of(lambda: get_bytes(s3_client, s3_bucket, "nope.txt"), **where)
    on_head = problem_of(lambda: s3_client.head_object(Bucket=s3_bucket, Key="nope.txt"), **where)
    assert on_get == on_head
    assert on_get.startswith(f"no object 'nope.txt' in bucket {s3_bucket!r}")


def test_a_wrong_endpoint_says_nothing_answers_there(settings):
    nowhere = settings.model_copy(update={"s3_endpoint_url": "http://127.0.0.1:9"})
    client = make_s3_client(nowhere, total_attempts=1)
    message = problem_of(client.list_buckets, endpoint=nowhere.s3_endpoint_url)
    assert message.startswith("no S3 server answers at http://127.0.0.1:9; check S3_ENDPOINT_URL")


def test_a_server_stopped_mid_session_gets_the_same_clear_line(settings):
    with private_server("s3") as server:
        own = settings.model_copy(update=server.url_settings)
        client = make_s3_client(own, total_attempts=1)
        client.list_buckets()
        server.stop()
        message = problem_of(client.list_buckets, endpoint=own.s3_endpoint_url)
    assert f"no S3 server answers at {own.s3_endpoint_url}" in message


def test_an_unknown_code_still_gives_one_line_with_the_code_and_status():
    from botocore.exceptions import ClientError

    error = ClientError(
        {"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutObject"
    )
    assert explain(error, key="a") == "S3 refused the request (SlowDown, HTTP 503) for 'a'"
