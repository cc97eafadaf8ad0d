"""The load benchmark runs end to end: tiny sizes, figures of the right shape, no timings."""

from __future__ import annotations

import asyncio

import pytest
from api_load import LoadResult, generate
from api_load_bench import COMPARISONS, benchmark, labels
from api_load_stats import Measured, answered
from api_serve_process import free_port

from course.bench import FIGURE_KEYS

pytestmark = pytest.mark.xdist_group("api-bench")


def test_the_benchmark_measures_every_comparison_through_real_servers(settings):
    figures = benchmark(settings, workers=1, books=20, seconds=0.05, concurrency=2, repeats=2)

    assert len(figures) == len(COMPARISONS)
    for figure in figures:
        assert set(figure) == set(FIGURE_KEYS)
        assert figure["unit"] == "req/s"
        # the labels name the worker count that was measured, not the demo's default
        assert {figure["baseline_label"], figure["measured_label"]} <= set(labels(1).values())
        # every scenario answered: a failing endpoint would measure 0 req/s
        assert figure["baseline"] > 0 and figure["measured"] > 0, figure
        assert "median of 2 runs, ratio " in figure["name"], "the spread is shown"


def test_a_load_run_without_an_answer_reports_no_latency_rather_than_zero():
    url = f"http://127.0.0.1:{free_port()}/health"  # nobody listens: every request fails
    result = asyncio.run(generate(url, seconds=1, concurrency=1, max_requests=3))
    assert (result.requests, result.errors) == (0, 3)
    assert result.p50_ms is None and result.p90_ms is None


def test_a_scenario_with_failed_requests_is_refused_not_reported():
    failed = LoadResult(url="http://127.0.0.1:1/health", concurrency=1, seconds=0.1, requests=0,
                        errors=3, requests_per_second=0.0, p50_ms=None, p90_ms=None)  # fmt: skip
    with pytest.raises(RuntimeError, match="flask-health: 3 errors, 0 answers"):
        answered("flask-health", Measured([failed], failed))
