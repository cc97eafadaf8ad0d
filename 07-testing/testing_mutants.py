"""Mutation testing with mutmut: which small changes to the code do the tests not notice?

mutmut copies a module, makes "mutants" (each one small change: `>=` to `>`, `0` to `1`),
and runs the tests against each. A mutant the tests fail on is killed; one they pass on
survived, and shows a behaviour no test checks. Running it shows, on `orders_shipping.py`:
1. the weak tests (`samples/shipping_weak_tests.py`, 100% line and branch coverage): three of
   the five mutants survive, and the diff of each;
2. the boundary tests (`tests/test_orders_shipping.py`): every mutant killed.
mutmut runs in a temporary folder of its own, so nothing it writes lands in the lesson.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)
LESSON_DIR = Path(__file__).resolve().parent
TARGET = LESSON_DIR / "orders_shipping.py"
WEAK_TESTS = LESSON_DIR / "samples" / "shipping_weak_tests.py"
STRONG_TESTS = LESSON_DIR / "tests" / "test_orders_shipping.py"
RESULT = re.compile(r"^\s*(\S+__mutmut_\d+): (\w+)", re.MULTILINE)
CONFIG = """[tool.mutmut]
source_paths = ["{module}"]
pytest_add_cli_args_test_selection = ["tests/"]
"""


@dataclass(frozen=True)
class MutationRun:
    """Each mutant's fate ("killed", "survived", ...), the diff of each survivor (and killed)."""

    results: dict[str, str]
    survivor_diffs: dict[str, str]
    killed_diffs: dict[str, str] = field(default_factory=dict)

    @property
    def survived(self) -> list[str]:
        """Return the names of the mutants no test failed on."""
        return [name for name, fate in self.results.items() if fate == "survived"]


def mutmut(folder: Path, *args: str, timeout: float) -> str:
    """Run one mutmut command in folder; return its output."""
    # no PYTHONPATH to the lesson: the tests must import the mutated copy, not the original
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the course's plugins have no part in this
    command = [sys.executable, "-m", "mutmut", *args]
    done = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
    )
    return done.stdout + done.stderr


def run_mutmut(
    target: Path, tests: Path, *, timeout: float = 300, show_killed: bool = False
) -> MutationRun:
    """Mutate `target`, run `tests` against each mutant; return every mutant's fate."""
    with tempfile.TemporaryDirectory(prefix="mutmut-") as name:
        folder = Path(name)
        shutil.copy(target, folder / target.name)
        (folder / "tests").mkdir()
        shutil.copy(tests, folder / "tests" / f"test_{target.stem}.py")
        (folder / "pyproject.toml").write_text(CONFIG.format(module=target.name))
        mutmut(folder, "run", timeout=timeout)
        results = dict(RESULT.findall(mutmut(folder, "results", "--all", "true", timeout=60)))
        shown = {"survived", "killed"} if show_killed else {"survived"}
        diffs = {
            mutant: mutmut(folder, "show", mutant, timeout=60)
            for mutant, fate in results.items()
            if fate in shown
        }
    survivors = {name: diff for name, diff in diffs.items() if results[name] == "survived"}
    killed = {name: diff for name, diff in diffs.items() if results[name] == "killed"}
    return MutationRun(results, survivors, killed)


def run_both(
    target: Path = TARGET, *, show_killed: bool = False
) -> tuple[MutationRun, MutationRun]:
    """Run mutmut with the weak tests and with the boundary tests, side by side."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        weak = pool.submit(run_mutmut, target, WEAK_TESTS, show_killed=show_killed)
        strong = pool.submit(run_mutmut, target, STRONG_TESTS)
        return weak.result(), strong.result()


def changed(diff: str) -> list[str]:
    """Return the lines of a mutant's diff that it changed (the `-` and `+` lines)."""
    return [line for line in diff.splitlines() if line.startswith(("-    ", "+    "))]


def main() -> None:
    weak, strong = run_both(show_killed=True)
    print(f"1. mutmut on {TARGET.name} with the weak tests (100% line and branch coverage):")
    print(f"   {len(weak.results)} mutants, {len(weak.survived)} survived:")
    for diff in weak.survivor_diffs.values():
        for line in changed(diff):
            print(f"   | {line}")
    print(f"   and {len(weak.killed_diffs)} killed (a weak test failed on each):")
    for diff in weak.killed_diffs.values():
        for line in changed(diff):
            print(f"   | {line}")
    print("2. The same mutants with the boundary tests (tests/test_orders_shipping.py):")
    fates = Counter(strong.results.values())
    print(f"   {len(strong.results)} mutants, {len(strong.survived)} survived ({dict(fates)})")
    print("Conclusion: coverage says which lines ran; mutation testing says which behaviours a")
    print("test would notice changing. The survivors named the missing boundary tests.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
