"""The benchmark's figures have the shape `make bench` needs; memory is asserted, never time."""

from files_bench import MIB, benchmark, hash_streaming, hash_whole, make_file, peak_memory

from course.bench import validate_figures


def test_streaming_memory_stays_flat_while_reading_whole_grows(tmp_path):
    small, large = make_file(tmp_path / "s", MIB), make_file(tmp_path / "l", 8 * MIB)

    whole = [peak_memory(lambda p=p: hash_whole(p)) for p in (small, large)]
    streaming = [peak_memory(lambda p=p: hash_streaming(p)) for p in (small, large)]

    assert whole[1] > 8 * MIB  # the whole file was in memory
    assert max(streaming) < MIB  # one small buffer, whatever the file's size
    assert abs(streaming[1] - streaming[0]) < 64 * 1024
    assert hash_whole(large) == hash_streaming(large)


def test_the_benchmark_returns_well_formed_figures():
    figures = validate_figures(benchmark(None, large_size=4 * MIB), "files_bench:benchmark")
    names = [figure["name"] for figure in figures]
    assert names[:2] == [
        "peak Python memory hashing a 1 MiB file",
        "peak Python memory hashing a 4 MiB file",
    ]
    assert any("shutil.copyfile" in name for name in names)
    assert names[-1].startswith("many small writes")
