"""Measured: one PUT vs multipart with 1, 4 and 8 threads; listing paged vs partitioned.

Running it measures, on this machine, against the configured S3 server, in one run:
1. uploading a 64 MiB object with one PUT, then as 8 MiB parts sent by 1, 4 and 8 threads;
   then downloading it the same ways;
2. listing 5,000 keys: one paginator walking 5 pages one after another, vs the same keys
   under 10 prefixes listed by 10 threads at once.
Every way runs once untimed (a warm-up), then several times in an order rotated each round, so
a slow moment of the machine does not always fall on the same way. Each figure is the median,
with the slowest and fastest run beside it, and the ratio of the two medians. On localhost the
"network" is memory and the server shares the machine's cores with the client: these figures
say nothing about a real network, where each request waits for a round trip.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from s3_listing import list_keys, put_many
from s3_transfer import MIB, download_stream, transfer_config, upload_stream

PART_SIZE = 8 * MIB
THREADS = (1, 4, 8)
ROUNDS = 5  # timed runs of every way, after one untimed warm-up round
LISTING_ROUNDS = 3  # a listing of 5,000 keys on moto takes seconds


def seconds(action: Callable[[], object]) -> float:
    """How long `action` took, in seconds (a monotonic clock)."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def alternating_seconds(
    runs: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    after_each: Callable[[str], object] = lambda name: None,
) -> dict[str, list[float]]:
    """Time every run once per round, in an order rotated each round; return each one's seconds."""
    names, durations = list(runs), {name: [] for name in runs}
    for number in range(rounds):
        shift = number % len(names)  # a slow moment of the machine lands on a different way
        for name in names[shift:] + names[:shift]:
            durations[name].append(seconds(runs[name]))
            after_each(name)  # untimed: e.g. delete what the run stored
    return durations


def warmed_up(runs: Mapping[str, Callable[[], object]], *, rounds: int, **options) -> dict:
    """One untimed round first (connections, caches, the server's first request), then time."""
    alternating_seconds(runs, rounds=1, **options)
    return alternating_seconds(runs, rounds=rounds, **options)


def measure_transfers(
    client, bucket_name: str, size: int, rounds: int = ROUNDS
) -> dict[str, dict[str, list[float]]]:
    """MB/s of every run of uploads and downloads of `size` bytes: one request, then multipart."""
    data = os.urandom(MIB) * (size // MIB)
    megabytes = len(data) / 1e6
    # the same SHA-256 checksum on both sides, so the comparison is of requests, not hashing
    ups: dict[str, Callable[[], object]] = {"one PUT": lambda: client.put_object(
        Bucket=bucket_name, Key="up.bin", Body=data, ChecksumAlgorithm="SHA256")}  # fmt: skip
    downs: dict[str, Callable[[], object]] = {"one GET": lambda: client.get_object(
        Bucket=bucket_name, Key="down.bin")["Body"].read()}  # fmt: skip
    for threads in THREADS:
        config = transfer_config(part_size=PART_SIZE, threads=threads)
        label = f"multipart, {threads} thread{'s' * (threads > 1)}"
        ups[label] = lambda config=config: upload_stream(
            client, bucket_name, "up.bin", io.BytesIO(data), config=config
        )
        downs[label] = lambda config=config: download_stream(
            client, bucket_name, "down.bin", io.BytesIO(), config=config
        )
    # every upload is deleted after its timing, so the server's memory does not grow run by run
    delete = lambda name: client.delete_object(Bucket=bucket_name, Key="up.bin")  # noqa: E731
    up = warmed_up(ups, rounds=rounds, after_each=delete)
    upload_stream(client, bucket_name, "down.bin", io.BytesIO(data), config=transfer_config())
    down = warmed_up(downs, rounds=rounds)
    return {
        direction: {name: [megabytes / took for took in runs] for name, runs in timed.items()}
        for direction, timed in (("upload", up), ("download", down))
    }


def measure_listing(
    client, bucket_name: str, keys: int, partitions: int = 10, rounds: int = LISTING_ROUNDS
) -> dict:
    """Seconds of every run listing `keys` keys with one paginator vs `partitions` prefixes."""
    names = [f"part-{n % partitions:02}/{n:06}" for n in range(keys)]
    put_many(client, bucket_name, names, threads=16)
    prefixes = [f"part-{n:02}/" for n in range(partitions)]
    found: dict[str, list] = {"paged": [], "partitioned": []}
    with ThreadPoolExecutor(partitions) as pool:
        runs = {
            "paged": lambda: found["paged"].append([list_keys(client, bucket_name)]),
            "partitioned": lambda: found["partitioned"].append(
                list(pool.map(lambda prefix: list_keys(client, bucket_name, prefix), prefixes))
            ),
        }
        took = warmed_up(runs, rounds=rounds)
    for listings in found["paged"] + found["partitioned"]:  # every run found every key
        assert sum(len(listing.keys) for listing in listings) == keys  # nosec B101  # the benchmark's self-check
    pages = {way: sum(listing.pages for listing in runs[-1]) for way, runs in found.items()}
    return {"paged_s": took["paged"], "pages": pages["paged"], "partitioned_s":
            took["partitioned"], "partitioned_pages": pages["partitioned"]}  # fmt: skip


def spread(runs: list[float], unit: str) -> str:
    """Return "median of 5, 40.1-55.3 MB/s" for a list of measurements."""
    return f"median of {len(runs)}, {min(runs):,.1f}-{max(runs):,.1f} {unit}"


def figures(transfers: dict, listing: dict, size: int, keys: int) -> list[dict]:
    """The measurements as `make bench` figures: a baseline, a measured value, a ratio."""
    found = []
    for direction, speeds in transfers.items():
        baseline_label = next(iter(speeds))
        baseline = statistics.median(speeds[baseline_label])
        for label, runs in list(speeds.items())[1:]:
            found.append({
                "name": f"{direction} of a {size // MIB} MiB object: {label}, vs {baseline_label}",
                "baseline_label": f"{baseline_label} ({spread(speeds[baseline_label], 'MB/s')})",
                "baseline": round(baseline, 1),
                "measured_label": f"{label} ({spread(runs, 'MB/s')})",
                "measured": round(statistics.median(runs), 1),
                "unit": "MB/s", "ratio": round(statistics.median(runs) / baseline, 2),
            })  # fmt: skip
    paged = [took * 1000 for took in listing["paged_s"]]
    split = [took * 1000 for took in listing["partitioned_s"]]
    found.append({
        "name": f"listing {keys:,} keys: one paginator vs 10 prefixes listed in parallel",
        "baseline_label": f"one paginator, {listing['pages']} pages in a row "
        f"({spread(paged, 'ms')})",
        "baseline": round(statistics.median(paged), 1),
        "measured_label": f"10 prefixes at once, {listing['partitioned_pages']} pages "
        f"({spread(split, 'ms')})",
        "measured": round(statistics.median(split), 1),
        "unit": "ms", "ratio": round(statistics.median(paged) / statistics.median(split), 2),
    })  # fmt: skip
    return found


def benchmark(settings, size: int = 64 * MIB, keys: int = 5000, rounds: int = ROUNDS) -> list[dict]:
    """The figures for `make bench`, in buckets of their own that are deleted after."""
    from s3_basics import make_s3_client

    from course.sandbox import temporary_bucket

    client = make_s3_client(settings)
    with temporary_bucket(client, prefix="s3-bench") as bucket_name:
        transfers = measure_transfers(client, bucket_name, size, rounds)
    with temporary_bucket(client, prefix="s3-bench-list") as bucket_name:
        listing = measure_listing(client, bucket_name, keys, rounds=min(rounds, LISTING_ROUNDS))
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
    print("Ratio: the second way's median over the first's (above 1: the second is faster).")
    print("Conclusion: where two ways' low-high ranges overlap, this run cannot tell them apart.")
    print("On localhost there is no round trip for parts and threads to hide; these figures do")
    print("not show what they buy across a real network, where AWS advises parallel requests.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
