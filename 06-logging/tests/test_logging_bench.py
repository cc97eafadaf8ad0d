"""The benchmark returns well-formed figures (tiny sizes); its timings are never asserted."""

from logging_bench import Order, benchmark, isolated_logger

from course.bench import validate_figures


def test_the_benchmark_returns_well_formed_figures():
    figures = validate_figures(benchmark(None, calls=200), "logging_bench:benchmark")
    assert [figure["unit"] for figure in figures] == ["calls/s"] * 7
    names = [figure["name"] for figure in figures]
    assert names[0] == "a disabled DEBUG call (argument: an Order model): lazy %-args vs f-string"
    assert "argument: an int" in names[1] and "argument: a short str" in names[2]
    assert names[5].startswith("records on disk per second")


def test_the_disabled_call_really_skips_formatting():
    formatted = []

    class Counting(Order):
        def __str__(self) -> str:
            formatted.append(1)
            return "order"

    quiet = isolated_logger("quiet-test", None, 20)
    quiet.debug("order %s", Counting(1))
    assert formatted == []
