"""Collect every lesson's measured claims into one report: `BENCHMARKS.md` and `benchmarks.json`.

A lesson lists its benchmark functions in `lesson.toml` (`benchmarks = ["module:function"]`).
Each function takes the course `Settings`, measures a baseline and an improvement on the same
data in one run, and returns a list of figures, each a dict with the keys in `FIGURE_KEYS`.
The report gives every figure with its baseline and ratio, and the machine it was measured on.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import logging
import os
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.lessons import Lesson
from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import Settings

logger = logging.getLogger(__name__)

MARKDOWN_REPORT = "BENCHMARKS.md"
JSON_REPORT = "benchmarks.json"
# each figure's keys, and the types its values must have
FIGURE_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "baseline_label": str,
    "baseline": (int, float),
    "measured_label": str,
    "measured": (int, float),
    "unit": str,
    "ratio": (int, float),
}
# how far a ratio may be from the one its own figures give: a median of per-run ratios is
# not the ratio of the medians, and each figure is rounded (the rounding is allowed for too)
RATIO_SLACK = 1.25


class BenchmarkError(RuntimeError):
    """A lesson's benchmark is missing, failed, or returned figures of the wrong shape."""


@dataclass(frozen=True)
class Figure:
    """One measured claim: a baseline and the measured improvement, in the same unit."""

    lesson: str
    function: str
    name: str
    baseline_label: str
    baseline: float
    measured_label: str
    measured: float
    unit: str
    ratio: float


@dataclass
class Report:
    """Every figure of one `make bench` run, and the machine it ran on."""

    date: str
    machine: dict
    figures: list[Figure] = field(default_factory=list)


def validate_figures(returned: object, where: str) -> list[dict]:
    """Check that a benchmark returned a list of well-formed figures; name `where` if not."""
    if not isinstance(returned, list):
        raise BenchmarkError(
            f"{where} must return a list of figures, not {type(returned).__name__}"
        )
    for index, figure in enumerate(returned):
        if not isinstance(figure, dict):
            raise BenchmarkError(
                f"{where}: figure {index} is a {type(figure).__name__}, not a dict"
            )
        missing = [key for key in FIGURE_KEYS if key not in figure]
        extra = [key for key in figure if key not in FIGURE_KEYS]
        if missing or extra:
            raise BenchmarkError(
                f"{where}: figure {index} has missing keys {missing} and unknown keys {extra}; "
                f"a figure has exactly {', '.join(FIGURE_KEYS)}"
            )
        for key, expected in FIGURE_KEYS.items():
            value = figure[key]
            if not isinstance(value, expected) or isinstance(value, bool):
                raise BenchmarkError(
                    f"{where}: figure {index} ({figure['name']!r}) has {key}={value!r}, "
                    f"which is not a {'string' if expected is str else 'number'}"
                )
        if not ratio_matches(figure["baseline"], figure["measured"], figure["ratio"]):
            raise BenchmarkError(
                f"{where}: figure {index} ({figure['name']!r}) has ratio={figure['ratio']}, but"
                f" its figures give measured/baseline {figure['measured'] / figure['baseline']:.3g}"
                f" and baseline/measured {figure['baseline'] / figure['measured']:.3g}:"
                " compute the ratio from the figures it is printed beside"
            )
    return returned


def rounding(value: float) -> float:
    """Half a unit of the last digit `value` is given with (an int: rounded to a whole)."""
    if isinstance(value, int):
        return 0.5
    text = repr(value)
    if "e" in text or "." not in text:
        return 0.0
    return 0.5 * 10 ** -len(text.split(".")[1])


def ratio_matches(baseline: float, measured: float, ratio: float) -> bool:
    """Whether `ratio` is measured/baseline or baseline/measured, as far as rounding tells."""
    values = [(value - rounding(value), value + rounding(value)) for value in (baseline, measured)]
    (base_low, base_high), (meas_low, meas_high) = values
    if base_low <= 0 or meas_low <= 0:
        return True  # a figure that rounds to zero has no ratio to check
    low, high = ratio - rounding(ratio), ratio + rounding(ratio)
    for top, bottom in (((meas_low, meas_high), (base_low, base_high)),
                        ((base_low, base_high), (meas_low, meas_high))):  # fmt: skip
        if high >= top[0] / bottom[1] / RATIO_SLACK and low <= top[1] / bottom[0] * RATIO_SLACK:
            return True
    return False


@contextmanager
def lesson_on_sys_path(lesson: Lesson) -> Iterator[None]:
    """Let the lesson's modules import each other by name, as they do when run as scripts."""
    folder = str(lesson.path)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added:
            sys.path.remove(folder)


def run_benchmark(lesson: Lesson, entry: str, settings: Settings) -> list[Figure]:
    """Import `module:function` from the lesson, call it with the settings, check its figures."""
    where = f"{lesson.name} benchmark {entry!r}"
    module_name, _, function_name = entry.partition(":")
    if not module_name or not function_name:
        raise BenchmarkError(f"{where}: write it as 'module:function' in lesson.toml")
    with lesson_on_sys_path(lesson):
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise BenchmarkError(f"{where}: cannot import {module_name}: {error}") from error
        function = getattr(module, function_name, None)
        if not callable(function):
            raise BenchmarkError(f"{where}: {module_name} has no function {function_name}")
        logger.info("running %s", where)
        try:
            returned = function(settings)
        except Exception as error:  # any failure: report which lesson's benchmark it was
            raise BenchmarkError(f"{where} failed: {type(error).__name__}: {error}") from error
    figures = validate_figures(returned, where)
    return [Figure(lesson=lesson.name, function=entry, **figure) for figure in figures]


def service_versions(settings: Settings) -> dict[str, str]:
    """Each service's version as its probe reports it (or why it did not answer)."""
    versions = {}
    for spec in SERVICES.values():
        try:
            versions[spec.title] = spec.check(settings).split(",")[0]
        except ServiceUnavailable as error:
            versions[spec.title] = f"not running ({error.reason})"
    if settings.course_services_mode == "embedded" and versions["S3"] == "S3":
        # the S3 API has no version call; in embedded mode the server is moto's
        versions["S3"] = f"S3 (moto {importlib.metadata.version('moto')})"
    return versions


def describe_machine(settings: Settings) -> dict:
    """The CPU count, Python, platform, services mode and each service's version."""
    return {
        "cpus": os.cpu_count() or 1,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "services_mode": settings.course_services_mode,
        "services": service_versions(settings),
    }


def collect(lessons: list[Lesson], settings: Settings) -> Report:
    """Run every lesson's benchmarks in course order."""
    report = Report(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=describe_machine(settings),
    )
    for lesson in lessons:
        for entry in lesson.benchmarks:
            report.figures.extend(run_benchmark(lesson, entry, settings))
    return report


def format_number(value: float) -> str:
    """Three significant figures, without scientific notation for everyday magnitudes."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 0.001 else f"{value:.2e}"


def render_markdown(report: Report, lessons: list[Lesson]) -> str:
    """The report as a Markdown page: the machine, then one table per lesson."""
    machine = report.machine
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {report.date}. Each lesson measures the baseline and its",
        "improvement in the same run, on the same data; the ratio is the lesson's own figure.",
        "Run `make bench` to see the numbers on your machine.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPUs | {machine['cpus']} |",
        f"| Python | {machine['python']} |",
        f"| platform | {machine['platform']} |",
        f"| services | {machine['services_mode']} mode |",
        *(f"| {title} | {version} |" for title, version in machine["services"].items()),
    ]
    titles = {lesson.name: lesson.title for lesson in lessons}
    by_lesson: dict[str, list[Figure]] = {}
    for figure in report.figures:
        by_lesson.setdefault(figure.lesson, []).append(figure)
    if not by_lesson:
        lines += ["", "No lesson has benchmarks yet."]
    for lesson_name, figures in by_lesson.items():
        lines += [
            "",
            f"## {lesson_name}: {titles.get(lesson_name, lesson_name)}",
            "",
            "| figure | baseline | measured | ratio | function |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {figure.name} "
            f"| {figure.baseline_label}: {format_number(figure.baseline)} {figure.unit} "
            f"| {figure.measured_label}: {format_number(figure.measured)} {figure.unit} "
            f"| {format_number(figure.ratio)}x | `{figure.function}` |"
            for figure in figures
        ]
    return "\n".join(lines) + "\n"


def report_as_json(report: Report) -> str:
    return json.dumps(asdict(report), indent=2) + "\n"


def write_report(report: Report, lessons: list[Lesson], output_dir: Path) -> list[Path]:
    """Write `BENCHMARKS.md` and `benchmarks.json` into `output_dir`; return their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    markdown, data = output_dir / MARKDOWN_REPORT, output_dir / JSON_REPORT
    markdown.write_text(render_markdown(report, lessons))
    data.write_text(report_as_json(report))
    return [markdown, data]
