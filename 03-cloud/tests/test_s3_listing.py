"""Listing past 1,000 keys, folders by delimiter, versions restored, lifecycle rules."""

from __future__ import annotations

from s3_basics import get_bytes
from s3_listing import (
    enable_versioning,
    list_folder,
    list_keys,
    put_many,
    restore_version,
    set_lifecycle,
    versions_of,
)


def test_the_paginator_follows_every_page_where_one_call_sees_the_first(s3_client, s3_bucket):
    # pages of 50 keys stand in for S3's 1,000 (the script lists 1,200 keys for real)
    keys = [f"logs/{n:04}.txt" for n in range(120)]
    put_many(s3_client, s3_bucket, keys)

    one_call = s3_client.list_objects_v2(Bucket=s3_bucket, MaxKeys=50)
    listing = list_keys(s3_client, s3_bucket, prefix="logs/", page_size=50)

    assert (one_call["KeyCount"], one_call["IsTruncated"]) == (50, True)
    assert (listing.keys, listing.pages) == (keys, 3)


def test_a_delimiter_shows_files_and_subfolders_of_one_level(s3_client, s3_bucket):
    for key in ("photos/2026/a.jpg", "photos/2025/b.jpg", "photos/index.html", "photosxyz"):
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=b"x")

    files, folders = list_folder(s3_client, s3_bucket, "photos/")

    assert files == ["photos/index.html"]
    assert folders == ["photos/2025/", "photos/2026/"]


def test_a_deleted_object_is_restored_from_its_first_version(s3_client, s3_bucket):
    enable_versioning(s3_client, s3_bucket)
    s3_client.put_object(Bucket=s3_bucket, Key="price.txt", Body=b"v1")
    s3_client.put_object(Bucket=s3_bucket, Key="price.txt", Body=b"v2")
    s3_client.put_object(Bucket=s3_bucket, Key="price.txt.bak", Body=b"other key")
    s3_client.delete_object(Bucket=s3_bucket, Key="price.txt")

    versions = versions_of(s3_client, s3_bucket, "price.txt")
    restore_version(s3_client, s3_bucket, "price.txt", versions[-1]["VersionId"])

    assert [v["DeleteMarker"] for v in versions] == [True, False, False]
    assert get_bytes(s3_client, s3_bucket, "price.txt") == b"v1"


def test_the_lifecycle_rules_are_stored_on_the_bucket(s3_client, s3_bucket):
    assert set_lifecycle(s3_client, s3_bucket) == ["expire-old-versions", "abort-abandoned-uploads"]
    rules = s3_client.get_bucket_lifecycle_configuration(Bucket=s3_bucket)["Rules"]
    assert rules[1]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
