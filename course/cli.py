"""The `course` command: services, lessons, tests and checks, for learners and CI alike."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from course import doctor as doctor_checks
from course.build_commands import register as register_build_commands
from course.console import console, fail
from course.exercise_commands import register as register_exercises
from course.lessons import Lesson, LessonNotFound, discover, find
from course.paths import ROOT
from course.runner import ScriptResult, run_lessons
from course.service_commands import ModeOption, bring_up, print_status
from course.service_commands import register as register_services
from course.services.manager import ServiceManager

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
NO_BYTECODE_VARIABLE = "PYTHONDONTWRITEBYTECODE"
FAST_NOTE = (
    "--fast: the course site is not built and the notebooks are not executed "
    "(they show as skipped); `make test` runs everything"
)
register_services(app)


@app.command()
def doctor() -> None:
    """Check Python, the installed packages, Docker and every service, with a fix for each."""
    table = Table(title="course doctor")
    for column in ("check", "result", "detail", "fix"):
        table.add_column(column)
    checks = doctor_checks.run_checks()
    for check in checks:
        result = (
            "[green]ok[/]"
            if check.ok
            else ("[red]FAIL[/]" if check.required else "[yellow]note[/]")
        )
        table.add_row(check.name, result, check.detail, "" if check.ok else check.fix)
    console.print(table)
    if not all(check.ok for check in checks if check.required):
        raise typer.Exit(1)


@app.command("list")
def list_lessons() -> None:
    """List the lessons with their scripts, notebooks, tests and exercises."""
    table = Table(title="Lessons")
    for column in ("lesson", "scripts", "notebooks", "tests", "exercises"):
        table.add_column(column)
    for lesson in discover():
        table.add_row(
            f"{lesson.name}\n[dim]{lesson.summary}[/]",
            "\n".join(script.name for script in lesson.scripts),
            "\n".join(notebook.name for notebook in lesson.notebooks),
            "\n".join(test.name for test in lesson.tests),
            "\n".join(exercise.stem for exercise in lesson.exercises),
        )
    console.print(table)


@app.command()
def run(
    lesson: Annotated[str | None, typer.Argument(help="e.g. 01-database or 01")] = None,
    mode: ModeOption = "auto",
) -> None:
    """Run every lesson's scripts in course order (or one lesson's), then show a summary."""
    try:
        lessons = [find(lesson)] if lesson else discover()
    except LessonNotFound as error:
        raise fail(str(error)) from None
    manager = ServiceManager()
    report = bring_up(manager, mode)
    if not print_status(manager, explained=report.unavailable):
        raise fail("a service did not answer its round trip")
    total = sum(len(one.scripts) for one in lessons)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("running lesson scripts", total=total)

        def on_start(one, script) -> None:
            progress.update(task, description=f"running {one.name}/{script.name}")

        def on_done(result: ScriptResult) -> None:
            mark = (
                "[green]passed[/]"
                if result.passed
                else "[yellow]skipped[/]"
                if result.skipped
                else "[red]FAILED[/]"
            )
            progress.console.print(f"{mark} {result.lesson}/{result.script} {result.seconds:.1f}s")
            progress.advance(task)

        results = run_lessons(lessons, on_start, on_done)
    print_run_summary(results)
    print_not_run(lessons)
    if any(result.failed for result in results):
        raise typer.Exit(1)


def print_run_summary(results: list[ScriptResult]) -> None:
    table = Table(title="Lesson scripts")
    for column in ("lesson", "script", "status", "seconds"):
        table.add_column(column)
    for result in results:
        colour = "green" if result.passed else "yellow" if result.skipped else "red"
        status = f"[{colour}]{escape(result.status)}[/]"
        table.add_row(result.lesson, result.script, status, f"{result.seconds:.1f}")
    console.print(table if results else "no lesson scripts yet: the services round trip passed")
    for result in results:
        if result.failed:
            console.rule(f"[red]{result.lesson}/{result.script}: last lines")
            console.print(result.last_lines(), markup=False, highlight=False)


def print_not_run(lessons: list[Lesson]) -> None:
    """Name the runnable scripts `make run` left out, each with its lesson's reason."""
    left_out = [(one.name, name, why) for one in lessons for name, why in one.not_run]
    if left_out:
        console.print("Not run by `make run` (each waits for Ctrl-C or needs arguments):")
        for lesson_name, name, why in left_out:
            console.print(f"  {lesson_name}/{name}: {why}", markup=False, highlight=False)


def pytest_command(workers: int, paths: list[str], fast: bool, extra: list[str]) -> list[str]:
    """The pytest command `course test` runs, with this environment's own interpreter.

    loadgroup: the tests of the built site (marked `xdist_group`) share the worker that builds it.
    """
    options = ["-n", str(workers), "--dist=loadgroup", *(["--fast"] if fast else [])]
    return [sys.executable, "-m", "pytest", *options, *paths, *extra]


def run_environment() -> dict[str, str]:
    """The environment of the test run: this one, except that Python may cache bytecode."""
    # PYTHONDONTWRITEBYTECODE (set on some CI machines and in many Docker images) makes each
    # of the run's hundreds of Python processes compile again every module it imports, and
    # each pytest rewrite every test module and plugin again: 114 of the 774 CPU-seconds a
    # full run took on 2 cores. The caches go into __pycache__ folders, which git ignores.
    return {name: value for name, value in os.environ.items() if name != NO_BYTECODE_VARIABLE}


def shown(command: list[str]) -> str:
    """The command as a learner can paste it: the interpreter relative to where they are."""
    interpreter = Path(command[0])
    if interpreter.is_relative_to(Path.cwd()):
        interpreter = interpreter.relative_to(Path.cwd())
    return shlex.join([str(interpreter), *command[1:]])


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def test(
    context: typer.Context,
    lesson: Annotated[str | None, typer.Argument(help="e.g. 01-database; all by default")] = None,
    mode: ModeOption = "auto",
    # one worker more than cores (up to 4): a third of the suite's time is spent waiting on
    # servers and subprocesses, when a core would otherwise sit idle (a 2-core fresh-clone run
    # used 1.4 cores on average with 2 workers)
    workers: Annotated[int, typer.Option(help="parallel pytest workers")] = min(
        (os.cpu_count() or 1) + 1, 4
    ),
    fast: Annotated[
        bool, typer.Option("--fast", help="skip the site build and the notebooks (quick loop)")
    ] = False,
) -> None:
    """Run pytest over the course (tests and notebooks), starting and then stopping services.

    Only the services this command started are stopped at the end. Extra arguments go to pytest.
    """
    extra = list(context.args)
    if lesson and lesson.startswith("-"):
        # an option for pytest came first (`course test --durations=0`): with unknown options
        # allowed, click hands it to the lesson argument; it is pytest's, in its place
        lesson, extra = None, [lesson, *extra]
    paths = []
    if lesson:
        try:
            paths = [str(find(lesson).path)]
        except LessonNotFound as error:
            raise fail(str(error)) from None
    manager = ServiceManager()
    report = bring_up(manager, mode, keep_partial=False)
    try:
        command = pytest_command(workers, paths, fast, extra)
        if fast:
            console.print(FAST_NOTE, highlight=False)
        console.print(f"$ {shown(command)}", highlight=False)
        # the marker lets `course services down` in another shell warn that tests need them
        with manager.store.hold("course test"):
            returncode = subprocess.run(command, cwd=ROOT, env=run_environment()).returncode
    finally:
        # exactly the processes this run started (pid, start time, data folder): a server
        # that another shell restarted meanwhile is not this run's to stop
        stopped = manager.stop_launched(report.launched)
        if stopped:
            names = ", ".join(key for key, result in stopped.items() if result == "stopped")
            console.print(f"stopped the services this run started: {names or 'none'}")
    raise typer.Exit(returncode)


# Commands that live in their own modules register themselves on `app` here.
# (each module defines `register(app: typer.Typer) -> None`)
# -- registered command modules: begin --
register_exercises(app)
register_build_commands(app)
# -- registered command modules: end --
