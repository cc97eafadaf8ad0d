"""What the load benchmark reports of its runs: medians, the spread of a ratio, a figure.

Each scenario is run once per round (`api_load_bench.py`), and both sides of a ratio are
measured in the same round, so a round's ratio compares figures taken side by side; the
figure is the median rate, with the lowest and highest round's ratio beside it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from api_load import LoadResult


@dataclass(frozen=True)
class Measured:
    """One scenario: a run per round under load, and one run with a single client."""

    runs: list[LoadResult]
    alone: LoadResult

    @property
    def rate(self) -> float:
        """The median requests per second under load."""
        return statistics.median(run.requests_per_second for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.p50_ms or 0.0 for run in self.runs)

    @property
    def p90_ms(self) -> float:
        return statistics.median(run.p90_ms or 0.0 for run in self.runs)


def answered(key: str, measured: Measured) -> Measured:
    """The scenario's runs, or an error if any run failed: a rate of failures measures nothing."""
    for result in [*measured.runs, measured.alone]:
        if result.errors or not result.requests:
            raise RuntimeError(
                f"{key}: {result.errors} errors, {result.requests} answers from {result.url};"
                " not a figure (is the server healthy?)"
            )
    return measured


def figure(
    results: dict[str, Measured], name: str, baseline: str, measured: str, label: dict[str, str]
) -> dict:
    """A `make bench` figure: median requests per second, baseline vs measured, with the spread."""
    base, better = results[baseline], results[measured]
    low, high = ratio_range(results, baseline, measured)
    details = (
        f"median of {len(base.runs)} runs, ratio {low:.2f}-{high:.2f}x; p50 ms under load"
        f" {base.p50_ms}/{better.p50_ms}, alone {base.alone.p50_ms}/{better.alone.p50_ms}"
    )
    return {
        "name": f"{name}, {base.runs[0].concurrency} clients ({details})",
        "baseline_label": label[baseline],
        "baseline": base.rate,
        "measured_label": label[measured],
        "measured": better.rate,
        "unit": "req/s",
        "ratio": round(ratio(results, baseline, measured), 2),
    }


def ratio(results: dict[str, Measured], baseline: str, measured: str) -> float:
    """Median requests per second, measured over baseline."""
    return results[measured].rate / max(results[baseline].rate, 0.1)


def ratio_range(results: dict[str, Measured], baseline: str, measured: str) -> tuple[float, float]:
    """The lowest and highest ratio of one round (both sides measured in the same round)."""
    pairs = zip(results[baseline].runs, results[measured].runs, strict=True)
    ratios = [b.requests_per_second and m.requests_per_second / b.requests_per_second
              for b, m in pairs]  # fmt: skip
    return min(ratios), max(ratios)
