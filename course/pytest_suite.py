"""A pytest plugin for the course's suite: `--fast`, and one table of what was skipped and why.

`--fast` (what `course test --fast` passes) skips the tests that execute notebooks or build
the course site, for a learner's quick loop; they still show in the table, so nobody mistakes
a fast run for a full one. Registered in pyproject's `addopts`.
"""

from __future__ import annotations

from collections import defaultdict

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
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


@pytest.hookimpl(trylast=True)  # after the slowest durations, so it closes the report
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """After the run: how many tests were skipped for each reason, with one example each."""
    reports = [r for r in terminalreporter.stats.get("skipped", []) if not hasattr(r, "wasxfail")]
    if not reports:
        return
    terminalreporter.write_sep("-", f"{len(reports)} skipped, by reason")
    for reason, nodeids in skips_by_reason(reports).items():
        example = nodeids[0] + (f" and {len(nodeids) - 1} more" if len(nodeids) > 1 else "")
        terminalreporter.write_line(f"{len(nodeids):>4}  {reason}")
        terminalreporter.write_line(f"      e.g. {example}")
