"""cProfile names the slow function, the fix keeps the answer, tracemalloc finds the leak."""

from pathlib import Path

import profiling_hotspot
from profiling_hotspot import hottest_line, leak_report, make_orders, profile


def test_the_fast_report_gives_the_same_answer_as_the_slow_one():
    orders = make_orders(500)
    assert profiling_hotspot.report_fast(orders) == profiling_hotspot.report_slow(orders)


def test_cprofile_names_the_quadratic_report_as_the_hot_spot():
    orders = make_orders(2_000)
    where, seconds = hottest_line(profile(lambda: profiling_hotspot.report_slow(orders)))
    assert where.startswith("profiling_hotspot.py:") and where.endswith("(report_slow)")
    assert seconds > 0


def test_tracemalloc_points_at_the_leaking_lines():
    source = Path(profiling_hotspot.__file__).read_text(encoding="utf-8").splitlines()
    top = leak_report(500)[0]  # "…/profiling_hotspot.py:80: size=… count=500 (+500) …"
    line_number = int(top.split("profiling_hotspot.py:")[1].split(":")[0])
    assert "payload" in source[line_number - 1]
    assert "count=500 (+500)" in top, "one live allocation per request"


def test_pyinstrument_shows_the_slow_report_in_its_call_tree():
    orders = make_orders(3_000)
    tree = profiling_hotspot.sampled_profile(lambda: profiling_hotspot.report_slow(orders))
    assert "report_slow" in tree


def test_the_benchmark_returns_a_well_formed_figure():
    from course.bench import validate_figures

    [figure] = validate_figures(
        profiling_hotspot.benchmark(None, orders_count=300), "profiling_hotspot:benchmark"
    )
    assert figure["unit"] == "ms"
