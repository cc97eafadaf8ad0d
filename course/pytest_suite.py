"""A pytest plugin for the course's suite: `--fast`, the skip table and the time by lesson.

`--fast` (what `course test --fast` passes) skips the tests that execute notebooks or build
the course site, for a learner's quick loop; they still show in the table, so nobody mistakes
a fast run for a full one. Long tests (notebooks, the site, those marked slow or grouped on one
worker) start first, so pytest-xdist's workers finish together. After every run a second table
sums the tests' seconds by lesson, so each lesson's share of the suite's time budget is
visible (a report, never an assertion).
With `COURSE_COLLECT_ONLY_INTO=FILE` set, pytest only collects and writes the collected test
ids into FILE: how `course/tests/test_text_commands.py` sees that a page's pytest command runs
tests this run runs anyway. Registered in pyproject's `addopts`.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

FAST_REASONS = {
    "notebook": "--fast: the notebooks are not executed (`make test` runs them)",
    "site": "--fast: the course site is not built (`make test` builds it)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help="skip executing notebooks and building the course site (a learner's quick loop)",
    )


def start_order(item: pytest.Item) -> int:
    """Long work first, so that the workers finish together (notebooks before the site)."""
    if item.get_closest_marker("notebook"):
        return 0  # first: the site build reads the notebooks these tests execute
    if item.get_closest_marker("site"):
        return 1
    if item.get_closest_marker("slow") or item.get_closest_marker("xdist_group"):
        return 2
    return 3


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle, which it keeps within a rank
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=start_order)
    if not config.getoption("fast"):
        return
    for item in items:
        for marker, reason in FAST_REASONS.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
                break


def skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gave, without pytest's "Skipped: " prefix."""
    if isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    return str(report.longrepr)


def skips_by_reason(reports: list[pytest.TestReport]) -> dict[str, list[str]]:
    """The skipped tests' ids, grouped by reason, the most common reason first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for report in reports:
        groups[skip_reason(report)].append(report.nodeid)
    return dict(sorted(groups.items(), key=lambda group: -len(group[1])))


LESSON_FOLDER = re.compile(r"^\d\d-[\w-]+$")
# a lesson named in a parametrised id: `...[01-database/part1a.md:50]`, `[02-filesystem/ex01]`
LESSON_IN_ID = re.compile(r"[\[/\s](\d\d-[\w-]+?)[/:\]]")


def lesson_of(nodeid: str, root: Path) -> str:
    """Whose time a test is: its lesson folder, a lesson its id names, or its top folder."""
    top = nodeid.split("/", 1)[0].split("::", 1)[0]
    if LESSON_FOLDER.match(top):
        return top
    _, bracket, parameters = nodeid.partition("[")
    for name in LESSON_IN_ID.findall(f"[{parameters}" if bracket else ""):
        if (root / name).is_dir():
            return name
    return top


class LessonTimes:
    """The seconds and the number of tests of each lesson, from every test's reports."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        totals = self.totals[lesson_of(report.nodeid, self.root)]
        totals[0] += report.duration  # setup, call and teardown each add theirs
        # a test counts once: at its call, or at a setup that skipped or failed it
        totals[1] += report.when == "call" or (report.when == "setup" and not report.passed)


COLLECT_ONLY_VARIABLE = "COURSE_COLLECT_ONLY_INTO"


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LessonTimes(config.rootpath), "course-lesson-times")
    # pytest-xdist's loadgroup hands out the groups with the most tests first, before this
    # plugin's order (notebooks, then the site that reads them); keep ours unless asked not to
    asked = "--loadscope-reorder" in config.invocation_params.args
    if getattr(config.option, "loadscopereorder", None) and not asked:
        config.option.loadscopereorder = False
    if os.environ.get(COLLECT_ONLY_VARIABLE):
        config.option.collectonly = True


def pytest_collection_finish(session: pytest.Session) -> None:
    target = os.environ.get(COLLECT_ONLY_VARIABLE)
    if target:
        Path(target).write_text("".join(f"{item.nodeid}\n" for item in session.items))


@pytest.hookimpl(trylast=True)  # after the slowest durations, so it closes the report
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """After the run: the skips by reason, then the seconds by lesson."""
    write_skips(terminalreporter)
    times = config.pluginmanager.get_plugin("course-lesson-times")
    write_time_by_lesson(terminalreporter, times.totals if times else {})


def write_time_by_lesson(terminalreporter, totals: dict[str, list[float]]) -> None:
    """One line per lesson (and toolkit folder): its tests and their seconds, most first."""
    if not totals:
        return
    terminalreporter.write_sep("-", "time by lesson (seconds of its tests, summed)")
    for name, (seconds, tests) in sorted(totals.items(), key=lambda item: -item[1][0]):
        terminalreporter.write_line(f"{seconds:>8.1f} s  {int(tests):>4} tests  {name}")
    total = sum(seconds for seconds, _ in totals.values())
    terminalreporter.write_line(f"{total:>8.1f} s  in all (the workers share them)")


def write_skips(terminalreporter) -> None:
    """How many tests were skipped for each reason, with one example each."""
    reports = [r for r in terminalreporter.stats.get("skipped", []) if not hasattr(r, "wasxfail")]
    if not reports:
        return
    terminalreporter.write_sep("-", f"{len(reports)} skipped, by reason")
    for reason, nodeids in skips_by_reason(reports).items():
        example = nodeids[0] + (f" and {len(nodeids) - 1} more" if len(nodeids) > 1 else "")
        terminalreporter.write_line(f"{len(nodeids):>4}  {reason}")
        terminalreporter.write_line(f"      e.g. {example}")
