"""Checks for ex01: `course check 03 ex01` runs them against your task."""

from course.exercises import load_exercise

task = load_exercise(__file__)

OBJECTS = {
    "photos/2026/cat.jpg": 300,
    "photos/2026/jan/dog.jpg": 200,
    "photos/2025/owl.jpg": 50,
    "photos/index.html": 7,
    "videos/a.mp4": 1000,
}


def fill(s3_client, bucket):
    for key, size in OBJECTS.items():
        s3_client.put_object(Bucket=bucket, Key=key, Body=b"x" * size)


def test_each_folder_under_the_prefix_gets_the_bytes_beneath_it(s3_client, s3_bucket):
    fill(s3_client, s3_bucket)
    assert task.folder_sizes(s3_client, s3_bucket, "photos/") == {
        "2026/": 500,
        "2025/": 50,
        "": 7,
    }, "2026/ holds cat.jpg and jan/dog.jpg (500 bytes); index.html sits directly in photos/"


def test_the_whole_bucket_by_top_level_folder(s3_client, s3_bucket):
    fill(s3_client, s3_bucket)
    assert task.folder_sizes(s3_client, s3_bucket) == {"photos/": 557, "videos/": 1000}


def test_an_empty_prefix_has_no_folders(s3_client, s3_bucket):
    assert task.folder_sizes(s3_client, s3_bucket, "nothing/") == {}


def test_every_page_is_read(s3_client, s3_bucket):
    fill(s3_client, s3_bucket)
    pages = []
    original = s3_client.get_paginator

    def counting_paginator(name):
        paginator = original(name)
        paginate = paginator.paginate

        def small_pages(**kwargs):
            # two keys a page, so five objects need three pages
            for page in paginate(**kwargs, PaginationConfig={"PageSize": 2}):
                pages.append(page)
                yield page

        paginator.paginate = small_pages
        return paginator

    s3_client.get_paginator = counting_paginator
    try:
        sizes = task.folder_sizes(s3_client, s3_bucket)
    finally:
        del s3_client.get_paginator
    assert len(pages) == 3, "use client.get_paginator('list_objects_v2') and read every page"
    assert sizes == {"photos/": 557, "videos/": 1000}
