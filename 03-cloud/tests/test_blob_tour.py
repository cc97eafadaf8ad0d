"""The tour's application code runs on every backend that is up, and cleans up after itself."""

from __future__ import annotations

from blob_tour import fetch, publish_report, stores


def test_the_same_report_is_published_on_every_backend_that_runs(settings, s3_client):
    with stores(settings) as found:
        ready = {title: store for title, store in found.items() if not isinstance(store, str)}
        assert {"local disk", "S3"} <= set(ready)
        for title, store in ready.items():
            url = publish_report(store, "2026-11", ["month,total", "11,4200"])
            assert fetch(store, url) == b"month,total\n11,4200\n", title
            assert store.list("reports/") == ["reports/2026-11.csv"], title
        s3_bucket = ready["S3"].bucket_name
    assert s3_bucket not in [bucket["Name"] for bucket in s3_client.list_buckets()["Buckets"]]
