"""The benchmark runs and returns well-formed figures (tiny counts; no timing asserted)."""

from __future__ import annotations

from types import SimpleNamespace

from auth_bench import benchmark


def test_the_benchmark_returns_a_ratio_with_both_figures_for_each_measurement(redis_url):
    figures = benchmark(SimpleNamespace(redis_url=redis_url), guesses=1, count=5)
    assert len(figures) == 5
    for figure in figures:
        assert set(figure) == {"name", "baseline_label", "baseline", "measured_label",
                               "measured", "unit", "ratio"}  # fmt: skip
        assert figure["baseline"] > 0 and figure["measured"] > 0 and figure["ratio"] > 0
