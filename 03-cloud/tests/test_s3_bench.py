"""The benchmark's figures have the shape `make bench` needs; counts are asserted, never time."""

from __future__ import annotations

from s3_bench import benchmark, measure_listing

from course.bench import validate_figures


def test_the_benchmark_returns_well_formed_figures_for_every_way(settings, s3_client):
    figures = validate_figures(
        benchmark(settings, size=1024 * 1024, keys=20, rounds=1), "s3_bench:benchmark"
    )
    names = [figure["name"] for figure in figures]
    assert len(names) == 7  # 3 uploads and 3 downloads against one request, and the listing
    assert names[0] == "upload of a 1 MiB object: multipart, 1 thread, vs one PUT"
    assert names[-1].startswith("listing 20 keys")


def test_both_listings_find_every_key_and_count_their_pages(s3_client, s3_bucket):
    listing = measure_listing(s3_client, s3_bucket, keys=30, partitions=3, rounds=2)
    assert (listing["pages"], listing["partitioned_pages"]) == (1, 3)
    assert (len(listing["paged_s"]), len(listing["partitioned_s"])) == (2, 2), "every timed run"


def test_every_way_is_timed_in_a_rotated_order_after_an_untimed_warm_up():
    from s3_bench import warmed_up

    order: list[str] = []
    runs = {name: (lambda name=name: order.append(name)) for name in "abc"}

    took = warmed_up(runs, rounds=3)

    assert order == list("abcabcbcacab"), "a warm-up round, then rotated rounds"
    assert {name: len(times) for name, times in took.items()} == {"a": 3, "b": 3, "c": 3}
