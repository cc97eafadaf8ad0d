"""Measured: one PUT vs multipart with 1, 4 and 8 threads; listing paged vs partitioned.

Running it measures, on this machine, against the configured S3 server, in one run:
1. uploading a 64 MiB object with one PUT, then as 8 MiB parts sent by 1, 4 and 8 threads
   (MB/s each, and each as a ratio of the single PUT); then downloading it the same ways;
2. listing 5,000 keys: one paginator walking 5 pages one after another, vs the same keys
   under 10 prefixes listed by 10 threads at once.
On localhost the "network" is memory and the server shares the machine's cores with the
client, so threads help far less than across a real network, where each request waits for
a round trip and parallel parts fill the link. The ratios are the lesson, not the MB/s.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from s3_listing import list_keys, put_many
from s3_transfer import MIB, download_stream, transfer_config, upload_stream

PART_SIZE = 8 * MIB
THREADS = (1, 4, 8)


def seconds(action: Callable[[], object]) -> float:
    """How long `action` took, in seconds (a monotonic clock)."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure_transfers(client, bucket_name: str, size: int) -> dict[str, dict[str, float]]:
    """MB/s of uploads and downloads of `size` bytes: one request, then multipart by threads."""
    data = os.urandom(MIB) * (size // MIB)
    megabytes = len(data) / 1e6
    # the same SHA-256 checksum on both sides, so the comparison is of requests, not hashing
    put_once = lambda: client.put_object(  # noqa: E731
        Bucket=bucket_name, Key="one.bin", Body=data, ChecksumAlgorithm="SHA256"
    )
    get_once = lambda: client.get_object(Bucket=bucket_name, Key="one.bin")["Body"].read()  # noqa: E731
    up, down = (
        {"one PUT": megabytes / seconds(put_once)},
        {"one GET": megabytes / seconds(get_once)},
    )
    for threads in THREADS:
        config = transfer_config(part_size=PART_SIZE, threads=threads)
        key, label = f"parts-{threads}.bin", f"multipart, {threads} thread{'s' * (threads > 1)}"
        up[label] = megabytes / seconds(
            lambda config=config, key=key: upload_stream(
                client, bucket_name, key, io.BytesIO(data), config=config
            )
        )
        down[label] = megabytes / seconds(
            lambda config=config, key=key: download_stream(
                client, bucket_name, key, io.BytesIO(), config=config
            )
        )
    return {"upload": up, "download": down}


def measure_listing(client, bucket_name: str, keys: int, partitions: int = 10) -> dict:
    """Seconds to list `keys` keys with one paginator vs `partitions` prefixes in parallel."""
    names = [f"part-{n % partitions:02}/{n:06}" for n in range(keys)]
    put_many(client, bucket_name, names, threads=16)
    found: list = []
    paged = seconds(lambda: found.append(list_keys(client, bucket_name)))
    prefixes = [f"part-{n:02}/" for n in range(partitions)]
    with ThreadPoolExecutor(partitions) as pool:
        listings: list = []
        split = seconds(lambda: listings.extend(
            pool.map(lambda prefix: list_keys(client, bucket_name, prefix), prefixes)))  # fmt: skip
    assert len(found[0].keys) == sum(len(listing.keys) for listing in listings) == keys
    return {"paged_s": paged, "pages": found[0].pages, "partitioned_s": split,
            "partitioned_pages": sum(listing.pages for listing in listings)}  # fmt: skip


def figures(transfers: dict, listing: dict, size: int, keys: int) -> list[dict]:
    """The measurements as `make bench` figures: a baseline, a measured value, a ratio."""
    found = []
    for direction, speeds in transfers.items():
        baseline_label = next(iter(speeds))
        for label, speed in list(speeds.items())[1:]:
            found.append({
                "name": f"{direction} of a {size // MIB} MiB object: {label}, vs {baseline_label}",
                "baseline_label": baseline_label, "baseline": round(speeds[baseline_label], 1),
                "measured_label": label, "measured": round(speed, 1),
                "unit": "MB/s", "ratio": round(speed / speeds[baseline_label], 2),
            })  # fmt: skip
    found.append({
        "name": f"listing {keys:,} keys: one paginator vs 10 prefixes listed in parallel",
        "baseline_label": f"one paginator, {listing['pages']} pages in a row",
        "baseline": round(listing["paged_s"] * 1000, 1),
        "measured_label": f"10 prefixes at once, {listing['partitioned_pages']} pages",
        "measured": round(listing["partitioned_s"] * 1000, 1),
        "unit": "ms", "ratio": round(listing["paged_s"] / listing["partitioned_s"], 2),
    })  # fmt: skip
    return found


def benchmark(settings, size: int = 64 * MIB, keys: int = 5000) -> list[dict]:
    """The figures for `make bench`, in buckets of their own that are deleted after."""
    from s3_basics import make_s3_client

    from course.sandbox import temporary_bucket

    client = make_s3_client(settings)
    with temporary_bucket(client, prefix="s3-bench") as bucket_name:
        transfers = measure_transfers(client, bucket_name, size)
    with temporary_bucket(client, prefix="s3-bench-list") as bucket_name:
        listing = measure_listing(client, bucket_name, keys)
    return figures(transfers, listing, size, keys)


def main() -> None:
    import course

    settings = course.require("s3")
    print("Measuring against", settings.s3_endpoint_url, "with a 64 MiB object and 5,000 keys ...")
    for number, figure in enumerate(benchmark(settings), start=1):
        print(f"{number}. {figure['name']}")
        print(f"   {figure['baseline_label']}: {figure['baseline']:,} {figure['unit']}; "
              f"{figure['measured_label']}: {figure['measured']:,} {figure['unit']} "
              f"(ratio {figure['ratio']})")  # fmt: skip
    print("Conclusion: on localhost, parts and threads buy little (there is no round trip to")
    print("hide, and the server shares two cores); across a real network to S3 they multiply")
    print("throughput. Listing is sequential by nature (each page needs the last one's token):")
    print("keys spread over prefixes can be listed in parallel.")


if __name__ == "__main__":
    main()
