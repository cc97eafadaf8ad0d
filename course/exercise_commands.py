"""The exercise commands (check, hint, progress, reset) and the instructor's kit.

`course check` runs an exercise's tests against the learner's task, the way rustlings does;
`course hint` shows the next hint; `course progress` shows what is done; `course reset`
restores a task from git. For instructors: `course reset-services` cleans the services
between classes, and `course new-lesson` starts a lesson folder from the template.
"""

from __future__ import annotations

import subprocess
import tomllib
from typing import Annotated

import typer
from rich.table import Table

from course.console import console, fail
from course.exercise_checks import check_exercise, style_tip
from course.exercises import Exercise, exercises_in
from course.lessons import LessonNotFound, discover, find
from course.progress import course_root, load_progress, save_progress

LessonArgument = Annotated[str, typer.Argument(help="e.g. 01-database or 01")]
ExerciseArgument = Annotated[str, typer.Argument(help="e.g. ex01_topic, ex01 or 1")]
SomeLesson = Annotated[str | None, typer.Argument(help="e.g. 01-database or 01; all if left out")]
SomeExercise = Annotated[str | None, typer.Argument(help="e.g. ex01_topic, ex01 or 1")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]


def select(lesson: str | None, exercise: str | None) -> list[Exercise]:
    """The exercises the learner names: all, a lesson's, or one."""
    root = course_root()
    try:
        lessons = [find(lesson, root)] if lesson else discover(root)
    except LessonNotFound as error:
        raise fail(str(error)) from None
    exercises = [one for each in lessons for one in exercises_in(each.path)]
    if exercise is None:
        return exercises
    chosen = [one for one in exercises if one.matches(exercise)]
    if not chosen:
        known = ", ".join(one.name for one in exercises) or "none yet"
        raise fail(f"no exercise {exercise!r} in {lesson}; its exercises are: {known}")
    return chosen


def check(lesson: SomeLesson = None, exercise: SomeExercise = None) -> None:
    """Check your exercises (all, a lesson's, or one) and record what passes."""
    exercises = select(lesson, exercise)
    if not exercises:
        console.print("no exercises yet")
        return
    progress = load_progress()
    results = []
    for one in exercises:
        result = check_exercise(one, root=course_root())
        results.append(result)
        if result.service_down:  # says nothing about the learner's code: nothing to record
            console.print(f"[yellow]cannot check[/] {one.key}: ", end="")
            console.print(result.service_down, soft_wrap=True, markup=False, highlight=False)
            continue
        progress.record_check(one.key, passed=result.passed)
        save_progress(progress)  # after each one, so an interrupted run keeps what it learnt
        if result.passed:
            console.print(f"[green]passed[/]     {one.key} ({result.tests} tests)")
            tip = style_tip(one.task)
            if tip:
                console.print(f"           {tip}", soft_wrap=True, markup=False)
        else:
            console.print(f"[red]not yet[/]    {one.key}: {result.first_failure}", soft_wrap=True)
            for side in result.compared:
                console.print(f"           {side}", soft_wrap=True, markup=False)
    unchecked = [result for result in results if result.service_down]
    failed = [r.exercise for r in results if not r.passed and not r.service_down]
    passed = len(results) - len(failed) - len(unchecked)
    console.print(f"{passed} of {len(results)} exercises pass.")
    if unchecked:
        console.print(
            f"{len(unchecked)} could not be checked: a service they need does not answer. Start "
            "the services (`make services-up`; `make status` shows each), then run this again."
        )
    if failed:
        first = failed[0]
        console.print(f"Next: edit {first.task.relative_to(course_root())}, then run this again;")
        short = f"{first.lesson.split('-')[0]} {first.name.split('_')[0]}"  # as the pages write it
        console.print(f"stuck? `.venv/bin/course hint {short}`")
    if failed or unchecked:
        raise typer.Exit(1)


def hint(lesson: LessonArgument, exercise: ExerciseArgument) -> None:
    """Show the next hint for an exercise (each call shows one more)."""
    (one,) = select(lesson, exercise)
    hints = tomllib.loads(one.hints_file.read_text()).get("hints", [])
    progress = load_progress()
    state = progress.of(one.key)
    if state.hints_shown >= len(hints):
        solution = one.solution.relative_to(course_root())
        console.print(f"no more hints for {one.key}: you have seen all {len(hints)}.")
        console.print(f"The reference solution is in {solution}, when you are ready for it.")
        return
    state.hints_shown += 1
    save_progress(progress)
    console.print(f"hint {state.hints_shown} of {len(hints)} for {one.key}:", style="bold")
    console.print(hints[state.hints_shown - 1], markup=False, soft_wrap=True)


def progress() -> None:
    """Show every exercise in the course: passed or not yet, and the hints used."""
    table = Table(title="Your progress")
    for column in ("lesson", "exercise", "title", "status", "hints used"):
        table.add_column(column)
    state = load_progress()
    exercises = select(None, None)
    for one in exercises:
        mine = state.of(one.key)
        status = {True: "[green]passed[/]", False: "[red]not yet[/]", None: "not checked"}
        table.add_row(one.lesson, one.name, one.title, status[mine.passed], str(mine.hints_shown))
    if not exercises:
        console.print("no exercises yet")
        return
    console.print(table)
    done = sum(1 for one in exercises if state.of(one.key).passed)
    console.print(f"{done} of {len(exercises)} exercises pass.")


def reset(lesson: LessonArgument, exercise: ExerciseArgument, yes: YesOption = False) -> None:
    """Restore an exercise's task to its starting version from git (your edits are lost)."""
    (one,) = select(lesson, exercise)
    path = one.task.relative_to(course_root())
    if not yes:
        typer.confirm(f"Discard your work in {path} and restore it from git?", abort=True)
    restore = subprocess.run(
        ["git", "checkout", "HEAD", "--", str(path)],
        cwd=course_root(),
        capture_output=True,
        text=True,
    )
    if restore.returncode != 0:
        raise fail(f"git could not restore {path}: {restore.stderr.strip()}")
    state = load_progress()
    state.of(one.key).passed = None
    save_progress(state)
    console.print(f"restored {path} to its starting version")


def register(app: typer.Typer) -> None:
    """Add the exercise and instructor commands to the `course` command."""
    from course.instructor_commands import new_lesson, reset_services

    app.command()(check)
    app.command()(hint)
    app.command()(progress)
    app.command()(reset)
    app.command("reset-services")(reset_services)
    app.command("new-lesson")(new_lesson)
