"""The instructor's commands: clean the services between classes, start a new lesson.

Registered on the `course` command by `course.exercise_commands.register`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from course.console import console, fail
from course.exercise_commands import YesOption
from course.instructor import current_plan, execute_cleanup
from course.lesson_template import LessonTemplateError, create_lesson
from course.progress import course_root
from course.services.claims import StateError
from course.services.manager import ServiceManager
from course.services.probes import SERVICES, ServiceUnavailable, required_keys
from course.settings import SettingsError, get_settings, redact_url


def reset_services(
    yes: YesOption = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be removed; remove nothing")
    ] = False,
    include_foreign: Annotated[
        bool,
        typer.Option("--include-foreign", help="also reset servers this checkout did not start"),
    ] = False,
) -> None:
    """Remove every learner's data from the services, for a clean class.

    Drops the lesson databases in PostgreSQL (and recreates the course database's public
    schema), every MongoDB database but admin, local and config, every Redis key, and every
    S3 bucket but the course bucket, which is emptied.
    """
    manager = ServiceManager()
    try:
        with manager.store.lock("course reset-services"):
            settings = get_settings()
            # a server that does not answer is not running, not a stranger's: say so first
            for key in required_keys():  # the optional emulators are not reset (yet)
                SERVICES[key].check(settings)
            refuse_foreign_servers(manager, settings, include_foreign)
            clean(settings, yes=yes, dry_run=dry_run)
    except (ServiceUnavailable, SettingsError, StateError) as error:
        raise fail(str(error)) from None


def refuse_foreign_servers(manager: ServiceManager, settings, include_foreign: bool) -> None:
    """Show each server's address and owner; stop unless this checkout started them all."""
    foreign = []
    for key, owner in manager.owners(settings).items():
        if key not in required_keys():
            continue
        spec = SERVICES[key]
        line = f"{spec.title} at {redact_url(spec.url(settings))}: {owner.text}"
        console.print(f"  {line}", markup=False, highlight=False)
        if not owner.ours:
            foreign.append(line)
    if foreign and not include_foreign:
        raise fail(
            f"refusing to reset servers this checkout did not start ({'; '.join(foreign)}): "
            f"pass --include-foreign to reset them too"
        )


def clean(settings, *, yes: bool, dry_run: bool) -> None:
    plan = current_plan(settings)
    verb = "would remove" if dry_run else "will remove"
    console.print(f"reset-services {verb}:", style="bold")
    for line in plan.lines():
        console.print(f"  {line}", markup=False)
    if dry_run:
        console.print("dry run: nothing was removed")
        return
    if not yes:
        typer.confirm("Remove all of this? Anyone using these services loses it", abort=True)
    for line in execute_cleanup(plan, settings):
        console.print(f"removed: {line}", markup=False)
    console.print("the services are clean")


def new_lesson(
    name: Annotated[str, typer.Argument(help="the lesson folder, NN-topic, e.g. 08-queues")],
    title: Annotated[str, typer.Argument(help='the lesson title, e.g. "Queues and workers"')],
) -> None:
    """Create a lesson folder from the course's lesson template."""
    root = course_root()
    try:
        created = create_lesson(root, name, title)
    except LessonTemplateError as error:
        raise fail(str(error)) from None
    console.print(f"created {name}/ with:")
    for path in created:
        console.print(f"  {path.relative_to(root / name)}", markup=False)
    console.print(
        f"Next: rename the example topic, fill the README's sections, then run "
        f"`.venv/bin/python -m pytest {name}` and `.venv/bin/course check {name[:2]}`."
    )
