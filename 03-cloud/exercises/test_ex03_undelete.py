"""Checks for ex03: `course check 03 ex03` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def history(s3_client, s3_bucket):
    """A versioned bucket: some keys deleted (one of them twice), some not."""
    s3_client.put_bucket_versioning(Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"})
    put = lambda key, body: s3_client.put_object(Bucket=s3_bucket, Key=key, Body=body)  # noqa: E731
    remove = lambda key: s3_client.delete_object(Bucket=s3_bucket, Key=key)  # noqa: E731
    put("docs/a.txt", b"a1")
    put("docs/a.txt", b"a2")
    remove("docs/a.txt")
    put("docs/b.txt", b"b1")  # never deleted
    put("docs/c.txt", b"c1")
    remove("docs/c.txt")
    remove("docs/c.txt")  # a second delete adds a second marker
    put("other/d.txt", b"d1")
    remove("other/d.txt")  # outside the prefix: stays deleted
    return s3_bucket


def read(s3_client, bucket, key):
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_the_deleted_keys_under_the_prefix_come_back(s3_client, history):
    assert task.undelete(s3_client, history, "docs/") == ["docs/a.txt", "docs/c.txt"]
    assert read(s3_client, history, "docs/a.txt") == b"a2", "the version before the marker"
    assert read(s3_client, history, "docs/b.txt") == b"b1"


def test_a_key_deleted_twice_loses_both_markers_and_comes_back(s3_client, history):
    task.undelete(s3_client, history, "docs/")
    versions = s3_client.list_object_versions(Bucket=history, Prefix="docs/c.txt")
    assert versions.get("DeleteMarkers", []) == [], "after one marker, the next one was on top"
    assert read(s3_client, history, "docs/c.txt") == b"c1"


def test_keys_outside_the_prefix_and_real_versions_are_untouched(s3_client, history):
    task.undelete(s3_client, history, "docs/")
    other = s3_client.list_object_versions(Bucket=history, Prefix="other/")
    assert other["DeleteMarkers"][0]["IsLatest"], "other/d.txt must stay deleted"
    all_versions = s3_client.list_object_versions(Bucket=history).get("Versions", [])
    assert len(all_versions) == 5, "never delete an object version, only delete markers"


def test_every_page_of_versions_is_read(s3_client, history):
    def small_pages(params, **_):
        if params.get("Prefix") == "docs/":  # two entries a page: the listing needs four pages
            params["MaxKeys"] = 2

    s3_client.meta.events.register("before-parameter-build.s3.ListObjectVersions", small_pages)
    try:
        undone = task.undelete(s3_client, history, "docs/")
    finally:
        s3_client.meta.events.unregister(
            "before-parameter-build.s3.ListObjectVersions", small_pages
        )
    assert undone == ["docs/a.txt", "docs/c.txt"], "use the list_object_versions paginator"


def test_nothing_deleted_means_nothing_to_do(s3_client, history):
    task.undelete(s3_client, history, "docs/")
    assert task.undelete(s3_client, history, "docs/") == []
