"""`course bench` runs each lesson's benchmark functions and writes one report.

The mechanism is proven on a sample lesson in a temporary folder, whose benchmark returns
fixed figures: the tests check the report's contents, never a real lesson's timings.
"""

import json
import textwrap

import pytest
from typer.testing import CliRunner

from course.bench import BenchmarkError, run_benchmark, validate_figures
from course.cli import app
from course.lessons import load_lesson

runner = CliRunner()

GOOD_FIGURES = """
def measure(settings):
    return [
        {"name": "lookup by email", "baseline_label": "without the index", "baseline": 41.25,
         "measured_label": "with the index", "measured": 0.09, "unit": "ms", "ratio": 458.3},
        {"name": "orders page", "baseline_label": "N+1 queries", "baseline": 120,
         "measured_label": "one joined query", "measured": 8, "unit": "ms", "ratio": 15},
    ]
"""


def write_sample_lesson(root, module_name, module_source, entry=None):
    """A lesson folder with a lesson.toml naming one benchmark function of `module_name`."""
    folder = root / "01-sample"
    folder.mkdir()
    (folder / "lesson.toml").write_text(
        'title = "Sample lesson"\nsummary = "For the tests."\nservices = []\n'
        f'benchmarks = ["{entry or module_name + ":measure"}"]\n'
    )
    (folder / f"{module_name}.py").write_text(textwrap.dedent(module_source))
    return folder


def test_the_report_gives_each_figure_with_its_baseline_ratio_and_the_machine(tmp_path):
    write_sample_lesson(tmp_path, "sample_bench_report", GOOD_FIGURES)

    result = runner.invoke(
        app, ["bench", "--lessons-root", str(tmp_path), "--output-dir", str(tmp_path)]
    )

    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "BENCHMARKS.md").read_text()
    assert "## 01-sample: Sample lesson" in markdown
    assert (
        "| lookup by email | without the index: 41.2 ms | with the index: 0.09 ms | 458x "
        "| `sample_bench_report:measure` |"
    ) in markdown
    assert "| orders page | N+1 queries: 120 ms | one joined query: 8 ms | 15x |" in markdown
    for row in ("| CPUs |", "| Python |", "| platform |", "| services |", "| PostgreSQL |"):
        assert row in markdown
    report = json.loads((tmp_path / "benchmarks.json").read_text())
    assert report["figures"][0] == {
        "lesson": "01-sample",
        "function": "sample_bench_report:measure",
        "name": "lookup by email",
        "baseline_label": "without the index",
        "baseline": 41.25,
        "measured_label": "with the index",
        "measured": 0.09,
        "unit": "ms",
        "ratio": 458.3,
    }
    assert len(report["figures"]) == 2
    assert set(report["machine"]) == {"cpus", "python", "platform", "services_mode", "services"}
    assert report["date"]


def test_a_course_without_benchmarks_still_gets_a_report(tmp_path):
    result = runner.invoke(
        app, ["bench", "--lessons-root", str(tmp_path), "--output-dir", str(tmp_path)]
    )

    assert result.exit_code == 0, result.output
    assert "No lesson has benchmarks yet." in (tmp_path / "BENCHMARKS.md").read_text()
    assert json.loads((tmp_path / "benchmarks.json").read_text())["figures"] == []


@pytest.mark.parametrize(
    ("returned", "complaint"),
    [
        ('{"name": "x"}', "must return a list of figures, not dict"),
        ('["41 ms"]', "figure 0 is a str, not a dict"),
        ('[{"name": "x", "ratio": 2}]', "missing keys ['baseline_label', 'baseline'"),
        (
            '[{"name": "x", "baseline_label": "a", "baseline": 1, "measured_label": "b",'
            ' "measured": 1, "unit": "ms", "ratio": "2x"}]',
            "has ratio='2x', which is not a number",
        ),
    ],
    ids=["not-a-list", "not-a-dict", "missing-keys", "ratio-not-a-number"],
)
def test_a_malformed_figure_is_an_error_naming_the_lesson_function(
    tmp_path, settings, returned, complaint
):
    module_name = f"sample_bench_malformed_{len(returned)}"
    folder = write_sample_lesson(
        tmp_path, module_name, f"def measure(settings):\n    return {returned}\n"
    )

    with pytest.raises(BenchmarkError) as error:
        run_benchmark(load_lesson(folder), f"{module_name}:measure", settings)

    assert f"01-sample benchmark '{module_name}:measure'" in str(error.value)
    assert complaint in str(error.value)


@pytest.mark.parametrize(
    ("baseline", "measured", "ratio", "accepted"),
    [
        (41.25, 0.09, 458.3, True),  # baseline/measured: a time, lower is better
        (1000, 40_000, 40.0, True),  # measured/baseline: a rate, higher is better
        (1000, 1500, 1.42, True),  # a median of per-run ratios, near the ratio of the medians
        (1000, 40_000, 0.4, False),  # 100 times off (a rate counted once per pipeline)
        (1000, 1050, 1.5, False),  # neither way round
        (0.0, 5, 3.0, True),  # a figure that rounds to zero: nothing to check it against
    ],
)
def test_a_ratio_the_figures_beside_it_do_not_give_is_refused(baseline, measured, ratio, accepted):
    figure = {"name": "x", "baseline_label": "a", "baseline": baseline, "measured_label": "b",
              "measured": measured, "unit": "GET/s", "ratio": ratio}  # fmt: skip

    if accepted:
        assert validate_figures([figure], "sample") == [figure]
    else:
        with pytest.raises(BenchmarkError, match="compute the ratio from the figures"):
            validate_figures([figure], "sample")


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("sample_bench_entry", "write it as 'module:function'"),
        ("sample_bench_entry:gone", "sample_bench_entry has no function gone"),
        ("sample_bench_missing:measure", "cannot import sample_bench_missing"),
        ("sample_bench_entry:crash", "failed: ZeroDivisionError"),
    ],
)
def test_a_broken_benchmark_fails_the_command_and_writes_no_report(tmp_path, entry, complaint):
    source = GOOD_FIGURES + "\n\ndef crash(settings):\n    return 1 / 0\n"
    write_sample_lesson(tmp_path, "sample_bench_entry", source, entry=entry)

    result = runner.invoke(
        app, ["bench", "--lessons-root", str(tmp_path), "--output-dir", str(tmp_path)]
    )

    assert result.exit_code == 1
    assert complaint in result.output
    assert not (tmp_path / "BENCHMARKS.md").exists()
