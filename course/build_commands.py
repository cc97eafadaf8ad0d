"""Commands that build the course's artefacts: the benchmarks report, the notebooks, the site.

`course bench` (`make bench`), `course notebooks --index | --clean` (`make clean-notebooks`)
and `course docs` (`make docs`). Registered on the `course` command by `course/cli.py`.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from course import bench as benchmarks
from course.console import console, fail
from course.lessons import LessonNotFound, discover, find
from course.paths import ROOT
from course.service_commands import ModeOption, bring_up
from course.services.manager import ServiceManager
from course.settings import SettingsError, get_settings


def bench(
    lesson: Annotated[str | None, typer.Argument(help="e.g. 01-database; all by default")] = None,
    mode: ModeOption = "auto",
    lessons_root: Annotated[Path, typer.Option(hidden=True)] = ROOT,
    output_dir: Annotated[Path, typer.Option(help="where the report is written")] = ROOT,
) -> None:
    """Run every lesson's benchmarks and write BENCHMARKS.md and benchmarks.json."""
    try:
        lessons = [find(lesson, lessons_root)] if lesson else discover(lessons_root)
    except LessonNotFound as error:
        raise fail(str(error)) from None
    needed = sorted({key for one in lessons if one.benchmarks for key in one.services})
    if needed:
        bring_up(ServiceManager(), mode, needed)
    try:
        report = benchmarks.collect(lessons, get_settings())
    except (benchmarks.BenchmarkError, SettingsError) as error:
        raise fail(str(error)) from None
    table = Table(title=f"Benchmarks ({report.machine['services_mode']} mode)")
    for column in ("lesson", "figure", "baseline", "measured", "ratio"):
        table.add_column(column)
    for figure in report.figures:
        number = benchmarks.format_number
        table.add_row(
            figure.lesson,
            figure.name,
            f"{number(figure.baseline)} {figure.unit}",
            f"{number(figure.measured)} {figure.unit}",
            f"{number(figure.ratio)}x",
        )
    console.print(table if report.figures else "no lesson has benchmarks yet")
    written = benchmarks.write_report(report, lessons, output_dir)
    console.print(f"wrote {', '.join(str(path) for path in written)}", highlight=False)


def notebooks(
    index: Annotated[
        bool, typer.Option("--index", help="regenerate notebooks/index.ipynb")
    ] = False,
    clean: Annotated[
        bool, typer.Option("--clean", help="clear every notebook's outputs before a commit")
    ] = False,
    read: Annotated[
        Path | None,
        typer.Option(
            "--read", help="execute this notebook and print it with its outputs, as Markdown"
        ),
    ] = None,
) -> None:
    """Regenerate the notebook index, or clear outputs; with no option, check both."""
    # imported here: nbformat's schema validator takes seconds to import, and every other
    # `course` command (services up, test, run) would pay for it
    from course import notebooks as course_notebooks

    if read is not None:
        try:
            print(course_notebooks.as_markdown(read))  # plain print: Markdown, not Rich markup
        except course_notebooks.NotebookError as error:
            raise fail(str(error)) from None
        return
    if index:
        path = course_notebooks.write_index()
        console.print(f"wrote {path.relative_to(ROOT)}", highlight=False)
    if clean:
        for path in course_notebooks.all_notebooks():
            if course_notebooks.clear_outputs(path):
                console.print(f"cleared the outputs of {path.relative_to(ROOT)}", highlight=False)
    if index or clean:
        return
    problems = [
        f"{path.relative_to(ROOT)} has outputs: run `{course_notebooks.CLEAN_COMMAND}`"
        for path in course_notebooks.all_notebooks()
        if course_notebooks.has_outputs(path)
    ]
    index_path = ROOT / course_notebooks.INDEX
    if not index_path.exists() or index_path.read_text() != course_notebooks.build_index():
        problems.append(f"{course_notebooks.INDEX} is out of date: run `course notebooks --index`")
    for problem in problems:
        console.print(problem, highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print("the notebooks are clean and the index is up to date")


def docs(
    execute: Annotated[
        bool, typer.Option(help="execute the notebooks so their pages show outputs")
    ] = True,
    source_dir: Annotated[Path, typer.Option(help="where the docs tree is assembled")] = (
        ROOT / "build" / "site-src"  # course.site.SOURCE_DIR (see the import below)
    ),
    site_dir: Annotated[Path, typer.Option(help="where the site is written")] = ROOT / "site",
    mode: ModeOption = "auto",
) -> None:
    """Build the course site (README, lesson READMEs, executed notebooks) in strict mode."""
    from course import site  # like nbformat above: seconds to import, only needed here

    if execute:
        bring_up(ServiceManager(), mode)
    began = time.monotonic()
    try:
        site.build(source_dir=source_dir, site_dir=site_dir, execute=execute)
    except site.NotebookFailed as error:
        raise fail(str(error)) from None
    except subprocess.CalledProcessError:
        raise fail("mkdocs build --strict failed: see its warnings above") from None
    seconds = time.monotonic() - began
    console.print(f"built the site in {site_dir} in {seconds:.0f}s", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `bench`, `notebooks` and `docs` to the `course` command."""
    app.command()(bench)
    app.command()(notebooks)
    app.command()(docs)
