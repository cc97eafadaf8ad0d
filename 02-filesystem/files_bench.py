"""Measured: memory when streaming vs reading whole, copy speed against `cp`, buffered writes.

Running it measures, on this machine, in one run:
1. the peak Python memory (`tracemalloc`) of hashing a file read whole vs streamed in chunks,
   for a small and a large file: streaming stays flat as the file grows;
2. copying a large file with a small buffer, a 1 MiB buffer and `shutil.copyfile`, each as a
   fraction of the `cp` command's speed: into the page cache only (the copy is in memory, not
   yet on disk, when the timer stops), each run to a fresh file after `os.sync()`, outside
   the timer, has written back the run before; the order rotates; the median of 5 runs;
3. many small writes, one `write()` system call per record vs through Python's buffer.
`python files_bench.py` uses a 32 MiB file to stay quick; `make bench` uses 256 MiB.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

MIB = 1024 * 1024


def make_file(path: Path, size: int) -> Path:
    """Write `size` random-looking bytes (1 MiB of random data repeated)."""
    block = os.urandom(MIB)
    with open(path, "wb") as file:
        for _ in range(size // MIB):
            file.write(block)
        file.write(block[: size % MIB])
    return path


def peak_memory(action: Callable[[], object]) -> int:
    """The peak bytes Python allocated while running `action`."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def hash_whole(path: Path) -> str:
    """THE MEMORY-HUNGRY WAY: read the whole file into memory, then hash it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_streaming(path: Path) -> str:
    """Hash the file in fixed-size chunks (`hashlib.file_digest`, Python 3.11+)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def copy_with_buffer(source: Path, destination: Path, buffer_size: int) -> None:
    """Copy with a Python read/write loop and the given buffer size."""
    with open(source, "rb", buffering=0) as reader, open(destination, "wb", buffering=0) as writer:
        while chunk := reader.read(buffer_size):
            writer.write(chunk)


def copy_with_cp(source: Path, destination: Path) -> None:
    """Copy with the operating system's `cp` command (it pays for starting a process)."""
    # GNU cp 9+ first tries a reflink (FICLONE), which on btrfs or XFS shares the blocks
    # instead of copying them: refuse it, so that cp copies bytes like the others
    reflink = ["--reflink=never"] if sys.platform == "linux" else []
    subprocess.run(["cp", *reflink, str(source), str(destination)], check=True)


def median_copy_seconds(
    copiers: dict[str, Callable[[Path], object]], destination: Path, runs: int = 5
) -> dict[str, float]:
    """Each copier's median time over `runs` rounds, the order rotated every round."""
    timings: dict[str, list[float]] = {name: [] for name in copiers}
    names = list(copiers)
    for round_number in range(runs):
        shift = round_number % len(names)  # no copier always runs first, or always last
        for name in names[shift:] + names[:shift]:
            # a fresh file, and the previous copy's dirty pages written back, both outside the
            # timer: otherwise one run pays for the writeback of the run before it
            destination.unlink(missing_ok=True)
            os.sync()
            began = time.perf_counter()
            copiers[name](destination)
            timings[name].append(time.perf_counter() - began)
    destination.unlink(missing_ok=True)
    return {name: statistics.median(values) for name, values in timings.items()}


def write_records(path: Path, records: int, buffered: bool) -> float:
    """Write `records` short lines, one write() call each; return records per second."""
    line = b"2024-01-01T00:00:00Z GET /health 200\n"
    began = time.perf_counter()
    with open(path, "wb", buffering=-1 if buffered else 0) as file:
        for _ in range(records):
            file.write(line)
    return records / (time.perf_counter() - began)


def measure(folder: Path, large_size: int, records: int = 100_000) -> dict:
    """Every measurement, on files in `folder`; sizes in bytes, speeds in MB/s."""
    small, large = make_file(folder / "small.bin", MIB), make_file(folder / "large.bin", large_size)
    memory = {
        label: {
            "whole": peak_memory(lambda p=path: hash_whole(p)),
            "streaming": peak_memory(lambda p=path: hash_streaming(p)),
        }
        for label, path in (("1 MiB", small), (f"{large_size // MIB} MiB", large))
    }
    copiers: dict[str, Callable[[Path], object]] = {
        "read/write, 4 KiB buffer": lambda copy: copy_with_buffer(large, copy, 4096),
        "read/write, 1 MiB buffer": lambda copy: copy_with_buffer(large, copy, MIB),
        "shutil.copyfile": lambda copy: shutil.copyfile(large, copy),
    }
    if shutil.which("cp"):
        copiers["cp"] = lambda copy: copy_with_cp(large, copy)
    hash_streaming(large)  # read it once, so every copier starts from the page cache
    seconds = median_copy_seconds(copiers, folder / "copy.bin")
    copy_speed = {name: large_size / 1e6 / took for name, took in seconds.items()}
    writes = {
        "unbuffered": write_records(folder / "log-0.txt", records, buffered=False),
        "buffered": write_records(folder / "log-1.txt", records, buffered=True),
    }
    return {"memory": memory, "copy_mb_per_s": copy_speed, "records_per_s": writes}


def figures(result: dict) -> list[dict]:
    """The measurements as `make bench` figures: a baseline, a measured value, a ratio."""
    found = []
    for label, peaks in result["memory"].items():
        whole, streaming = peaks["whole"] / MIB, peaks["streaming"] / MIB
        found.append(
            {
                "name": f"peak Python memory hashing a {label} file",
                "baseline_label": "read whole",
                "baseline": round(whole, 3),
                "measured_label": "streamed in chunks",
                "measured": round(streaming, 3),
                "unit": "MiB",
                "ratio": round(whole / streaming, 1),
            }
        )
    speeds = result["copy_mb_per_s"]
    for name, speed in speeds.items():
        if name != "cp" and "cp" in speeds:
            found.append(
                {
                    "name": f"copying a large file into the page cache: {name}, vs cp",
                    "baseline_label": "cp",
                    "baseline": round(speeds["cp"], 1),
                    "measured_label": name,
                    "measured": round(speed, 1),
                    "unit": "MB/s",
                    "ratio": round(speed / speeds["cp"], 2),
                }
            )
    writes = result["records_per_s"]
    found.append(
        {
            "name": "many small writes (37-byte records)",
            "baseline_label": "one write() syscall each",
            "baseline": round(writes["unbuffered"]),
            "measured_label": "buffered",
            "measured": round(writes["buffered"]),
            "unit": "records/s",
            "ratio": round(writes["buffered"] / writes["unbuffered"], 1),
        }
    )
    return found


def benchmark(settings: object = None, large_size: int = 256 * MIB) -> list[dict]:
    """The figures for `make bench` (the course Settings are not needed: no service)."""
    with tempfile.TemporaryDirectory(prefix="files_bench_") as folder:
        return figures(measure(Path(folder), large_size))


def main() -> None:
    size = 32 * MIB
    print(f"Measuring on this machine, with a 1 MiB and a {size // MIB} MiB file ...")
    for number, figure in enumerate(benchmark(large_size=size), start=1):
        print(f"{number}. {figure['name']}")
        print(
            f"   {figure['baseline_label']}: {figure['baseline']:,} {figure['unit']}; "
            f"{figure['measured_label']}: {figure['measured']:,} {figure['unit']} "
            f"(ratio {figure['ratio']})"
        )
    print("Conclusion: streaming keeps memory flat whatever the file's size; a bigger buffer or")
    print("shutil.copyfile (sendfile on Linux) is as fast as cp, which also pays to start a")
    print("process; a buffer makes small writes cheap. These copies end in the page cache:")
    print("put an fsync inside the timer to measure the disk itself.")
    print("`make bench` repeats this with a 256 MiB file.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
