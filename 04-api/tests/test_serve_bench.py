"""The load benchmark runs end to end: tiny sizes, figures of the right shape, no timings."""

from __future__ import annotations

import pytest
from api_load_bench import COMPARISONS, benchmark, labels

from course.bench import FIGURE_KEYS

pytestmark = pytest.mark.xdist_group("api-bench")


def test_the_benchmark_measures_every_comparison_through_real_servers(settings):
    figures = benchmark(settings, workers=1, books=20, seconds=0.1, concurrency=2)

    assert len(figures) == len(COMPARISONS)
    for figure in figures:
        assert set(figure) == set(FIGURE_KEYS)
        assert figure["unit"] == "req/s"
        # the labels name the worker count that was measured, not the demo's default
        assert {figure["baseline_label"], figure["measured_label"]} <= set(labels(1).values())
        # every scenario answered: a failing endpoint would measure 0 req/s
        assert figure["baseline"] > 0 and figure["measured"] > 0, figure
