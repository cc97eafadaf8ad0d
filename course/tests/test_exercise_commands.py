"""`course check`, `hint`, `progress` and `reset`, as a learner uses them.

Each test works on a throwaway git repository holding the sample lesson, with its own
progress file, so the real repository and the learner's progress are never touched.
"""

import json
import shutil
import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.exercise_checks import check_exercise, compared, plain_words, unused_plugins
from course.exercise_proofs import check_sources, check_together
from course.exercises import exercises_in
from course.paths import ROOT
from course.progress import PROGRESS_FILE_VARIABLE, ROOT_VARIABLE

SAMPLE_EXERCISES = Path(__file__).parent / "sample_lesson" / "exercises"
runner = CliRunner()


def git(repo: Path, *arguments: str) -> str:
    identity = ["-c", "user.name=course tests", "-c", "user.email=tests@example.invalid"]
    return subprocess.run(
        ["git", *identity, *arguments], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A committed copy of the course holding only the sample lesson, as `01-sample`."""
    root = tmp_path / "course-copy"
    shutil.copytree(SAMPLE_EXERCISES, root / "01-sample" / "exercises")
    for name in ("pyproject.toml", "conftest.py"):
        shutil.copy(ROOT / name, root / name)
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "the course as a learner clones it")
    monkeypatch.setenv(ROOT_VARIABLE, str(root))
    monkeypatch.setenv(PROGRESS_FILE_VARIABLE, str(tmp_path / "progress.json"))
    return root


def task_file(repo: Path) -> Path:
    return repo / "01-sample" / "exercises" / "ex01_greeting.py"


def solve(repo: Path) -> None:
    shutil.copy(
        repo / "01-sample" / "exercises" / "solutions" / "ex01_greeting.py", task_file(repo)
    )


def test_check_says_an_untouched_task_is_not_done_yet_and_exits_1(repo, tmp_path):
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1, result.output
    assert "not done yet: return a greeting that names the learner" in result.output
    assert "0 of 1 exercises pass" in result.output
    progress = json.loads((tmp_path / "progress.json").read_text())
    assert progress["exercises"]["01-sample/ex01_greeting"]["passed"] is False


def test_check_quotes_the_assertion_message_of_a_wrong_answer(repo):
    task_file(repo).write_text('def greet(name):\n    return "Hello"\n')
    result = runner.invoke(app, ["check", "01", "ex01"])
    assert result.exit_code == 1
    assert "greet('Ada') should be 'Hello, Ada!', not 'Hello'" in result.output


def test_check_shows_what_the_learners_code_gave_beside_what_was_expected(repo):
    task_file(repo).write_text('def greet(name):\n    return "Hello"\n')
    result = runner.invoke(app, ["check", "01", "ex01"])
    assert "your code gave: 'Hello'\n" in result.output
    assert "expected:       'Hello, Ada!'\n" in result.output


def test_a_solution_with_untidy_style_passes_with_a_tip_not_a_failure(repo):
    solve(repo)
    untidy = task_file(repo).read_text().replace("    ", "  ") + "import sys\nimport os\n"
    task_file(repo).write_text(untidy)
    result = runner.invoke(app, ["check", "01", "ex01"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 exercises pass" in result.output
    assert "tip: ruff would tidy the style of ex01_greeting.py (`make format` does it)" in (
        result.output
    )


def test_a_tidy_solution_gets_no_style_tip(repo):
    solve(repo)
    result = runner.invoke(app, ["check", "01", "ex01"])
    assert "tip:" not in result.output


def test_check_names_the_error_when_the_task_does_not_load(repo):
    task_file(repo).write_text("def greet(:\n")
    result = runner.invoke(app, ["check"])
    assert "the file does not load: SyntaxError" in result.output


def test_a_service_that_does_not_answer_is_not_blamed_on_the_learners_code(
    repo, tmp_path, monkeypatch
):
    solve(repo)  # correct code: only the service is missing
    test = repo / "01-sample" / "exercises" / "test_ex01_greeting.py"
    test.write_text(test.read_text() + "\n\ndef test_needs_redis(redis_client):\n    pass\n")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens on port 9

    result = runner.invoke(app, ["check", "01", "ex01"])

    assert result.exit_code == 1
    assert "cannot check 01-sample/ex01_greeting: Redis is not reachable" in result.output
    assert "could not be checked: a service they need does not answer" in result.output
    assert "not yet" not in result.output and "Next: edit" not in result.output
    assert not (tmp_path / "progress.json").exists(), "nothing was learnt about the code"


@pytest.mark.parametrize(
    ("lesson", "exercise"), [("01-sample", "ex01_greeting"), ("01", "ex01"), ("1", "1")]
)
def test_a_solved_exercise_passes_however_it_is_named(repo, lesson, exercise):
    solve(repo)
    result = runner.invoke(app, ["check", lesson, exercise])
    assert result.exit_code == 0, result.output
    assert "passed" in result.output
    assert "1 of 1 exercises pass" in result.output


def test_an_unknown_exercise_is_named_with_the_known_ones(repo):
    result = runner.invoke(app, ["check", "01", "ex09"])
    assert result.exit_code == 1
    assert "no exercise 'ex09' in 01; its exercises are: ex01_greeting" in result.output


def test_hints_come_one_at_a_time_then_say_none_remain(repo):
    outputs = [runner.invoke(app, ["hint", "01", "ex01"]).output for _ in range(4)]
    assert "hint 1 of 3" in outputs[0] and "f-string" in outputs[0]
    assert "hint 2 of 3" in outputs[1] and "strip()" in outputs[1]
    assert "hint 3 of 3" in outputs[2] and "or 'world'" in outputs[2]
    assert "no more hints" in outputs[3] and "solutions/ex01_greeting.py" in outputs[3]


def test_progress_shows_each_exercise_with_its_title_status_and_hints_used(repo):
    before = runner.invoke(app, ["progress"])
    runner.invoke(app, ["hint", "01", "ex01"])
    solve(repo)
    runner.invoke(app, ["check"])
    after = runner.invoke(app, ["progress"])
    assert "Greet a learner by name." in before.output
    assert "not checked" in before.output and "0 of 1 exercises pass" in before.output
    assert "passed" in after.output and "1 of 1 exercises pass" in after.output
    row = next(line for line in after.output.splitlines() if "ex01_greeting" in line)
    assert row.split("│")[-2].strip() == "1"  # hints used


def test_reset_keeps_the_learners_work_unless_they_confirm(repo):
    solve(repo)
    result = runner.invoke(app, ["reset", "01", "ex01"], input="n\n")
    assert result.exit_code == 1
    assert "or 'world'" in task_file(repo).read_text()


@pytest.mark.parametrize(("arguments", "answer"), [([], "y\n"), (["--yes"], None)])
def test_reset_restores_the_task_from_git_after_confirmation(repo, arguments, answer):
    solve(repo)
    result = runner.invoke(app, ["reset", "01", "ex01", *arguments], input=answer)
    assert result.exit_code == 0, result.output
    assert "NotImplementedError" in task_file(repo).read_text()
    assert git(repo, "status", "--porcelain", "--", "01-sample") == ""


def test_the_committed_source_ignores_the_learners_edits(repo):
    solve(repo)
    (exercise,) = exercises_in(repo / "01-sample")
    assert check_exercise(exercise, root=repo, source="task").passed
    assert not check_exercise(exercise, root=repo, source="committed").passed


def test_the_committed_source_ignores_a_half_written_task_too(repo):
    task_file(repo).write_text("def greet(:\n")
    (exercise,) = exercises_in(repo / "01-sample")
    untouched = check_exercise(exercise, root=repo, source="committed")
    assert untouched.first_failure.startswith("greet names the learner: not done yet")


@pytest.mark.parametrize(
    ("message", "plain"),
    [
        ("NotImplementedError: TODO: write the query", "not done yet: write the query"),
        ("AssertionError: expected 3 rows\nassert 2 == 3", "expected 3 rows"),
        ("assert 2 == 3\n +  where 2 = len([1, 2])", "assert 2 == 3 (where 2 = len([1, 2]))"),
        ("assert 2 == 3\n  your code gave: 2\n  expected:       3", "assert 2 == 3"),
        ("KeyError: 'name'", "KeyError: 'name'"),
    ],
)
def test_failures_are_put_in_plain_words(message, plain):
    assert plain_words(message) == plain


def test_the_two_sides_of_a_failed_comparison_are_kept_labelled():
    message = "AssertionError: wrong\nassert 2 == 3\n  your code gave: 2\n  expected:       3"
    assert compared(message) == ("your code gave: 2", "expected:       3")


def second_exercise(repo: Path) -> None:
    """Add ex02 to the sample lesson: a copy of ex01 under its own name, committed."""
    folder = repo / "01-sample" / "exercises"
    for relative in ("{}.py", "test_{}.py", "solutions/{}.py", "hints/{}.toml"):
        original = folder / relative.format("ex01_greeting")
        shutil.copy(original, folder / relative.format("ex02_greeting"))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "a second exercise")


def test_a_lesson_proven_in_one_run_gives_each_exercise_what_check_gives_it(repo):
    second_exercise(repo)
    task_file(repo).write_text('def greet(name):\n    return "Hello"\n')  # a wrong answer
    exercises = exercises_in(repo / "01-sample")

    together = check_together(exercises, root=repo, source="task")

    fields = ("tests", "failed", "first_failure", "compared")
    alone = [check_exercise(exercise, root=repo, source="task") for exercise in exercises]
    assert [[getattr(r, f) for f in fields] for r in together] == [
        [getattr(r, f) for f in fields] for r in alone
    ]
    assert [r.exercise for r in together] == exercises
    assert together[0].compared == ("your code gave: 'Hello'", "expected:       'Hello, Ada!'")
    assert together[1].first_failure.startswith("greet names the learner: not done yet")


def test_in_one_run_a_task_that_does_not_load_fails_only_its_own_exercise(repo):
    second_exercise(repo)
    task_file(repo).write_text("def greet(:\n")
    git(repo, "commit", "--quiet", "--all", "--message", "a task that does not load")
    first, second = check_together(exercises_in(repo / "01-sample"), root=repo, source="committed")
    assert first.first_failure.startswith("the file does not load: SyntaxError")
    assert second.tests == 4 and second.failed == 4
    assert second.first_failure.startswith("greet names the learner: not done yet")


BOTH = ("solution", "committed")
FIELDS = ("tests", "failed", "first_failure", "compared")


def test_both_sources_in_one_run_give_each_exercise_what_check_gives_it(repo):
    second_exercise(repo)
    solution = repo / "01-sample" / "exercises" / "solutions" / "ex02_greeting.py"
    solution.write_text('def greet(name):\n    return "Hello"\n')  # a broken solution
    exercises = exercises_in(repo / "01-sample")

    together = check_sources(exercises, root=repo, sources=BOTH)

    for source in BOTH:
        alone = [check_exercise(exercise, root=repo, source=source) for exercise in exercises]
        assert [[getattr(r, f) for f in FIELDS] for r in together[source]] == [
            [getattr(r, f) for f in FIELDS] for r in alone
        ], source
        assert [r.exercise for r in together[source]] == exercises
    assert [r.passed for r in together["solution"]] == [True, False]  # the broken one is red
    assert together["solution"][1].compared[0] == "your code gave: 'Hello'"
    assert [r.passed for r in together["committed"]] == [False, False]


def test_in_one_run_a_committed_task_that_passes_is_seen_and_a_bad_one_harms_no_other(repo):
    second_exercise(repo)
    solve(repo)  # ex01's task committed solved: its proof must see it pass
    (repo / "01-sample" / "exercises" / "ex02_greeting.py").write_text("def greet(:\n")
    git(repo, "commit", "--quiet", "--all", "--message", "a solved task and one that does not load")

    found = check_sources(exercises_in(repo / "01-sample"), root=repo, sources=BOTH)

    assert [(r.tests, r.passed) for r in found["solution"]] == [(4, True), (4, True)]
    first, second = found["committed"]
    assert (first.tests, first.passed) == (4, True)
    assert second.first_failure.startswith("the file does not load: SyntaxError"), second


def test_hypothesis_s_plugin_is_left_out_only_of_runs_whose_tests_do_not_use_it(tmp_path):
    plain, with_hypothesis = tmp_path / "test_plain.py", tmp_path / "test_props.py"
    with_schemathesis = tmp_path / "test_schema.py"
    plain.write_text("def test_one():\n    assert True\n")
    with_hypothesis.write_text("from hypothesis import given\n")
    with_schemathesis.write_text("import schemathesis\n")
    assert unused_plugins([plain]) == ("-p", "no:hypothesispytest", "-p", "no:schemathesis")
    assert unused_plugins([plain, with_hypothesis]) == ("-p", "no:schemathesis")
    assert unused_plugins([plain, with_schemathesis]) == ()
    # `-p no:NAME` ignores an unknown NAME: the names must be the ones the packages register
    registered = {entry.name for entry in entry_points(group="pytest11")}
    assert {"hypothesispytest", "schemathesis"} <= registered
