"""`course services up|down|status`, and the service start-up the other commands share."""

from __future__ import annotations

import sys
from collections.abc import Collection
from typing import Annotated

import typer
from rich.table import Table

from course.console import console, fail
from course.services.claims import StateError
from course.services.envfile import EnvFileError
from course.services.manager import ServiceManager, UpFailed, UpReport, choose_mode
from course.services.probes import SERVICES
from course.services.programs import ProgramNotFound
from course.services.servers import ServiceStartError
from course.services.servers import postgres as embedded_postgres
from course.settings import SettingsError, redact_url

services_app = typer.Typer(
    help="Start, stop and check PostgreSQL, MongoDB, Redis, S3 and the optional cloud emulators."
)

ModeOption = Annotated[
    str, typer.Option("--mode", help="auto (Docker if an engine answers), docker or embedded")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]


def titles(keys: list[str]) -> str:
    """The services' titles as a phrase: "PostgreSQL, Redis and S3"."""
    names = [SERVICES[key].title for key in keys]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def up_sentence(report: UpReport) -> str:
    """What `up` did, as one sentence a learner reads at a glance."""
    running = report.already_running
    verb = "was" if len(running) == 1 else "were"
    answering = f"{titles(running)} {verb} already running (this checkout's)"
    if not report.started:
        nothing = "No service was started." if report.unavailable else "No service was needed."
        return f"{answering}, so none was started." if running else nothing
    started = f"Started {titles(report.started)} in {report.mode} mode in {report.seconds:.1f}s"
    return f"{started}; {answering}." if running else f"{started}."


def print_up_report(report: UpReport) -> None:
    for notice in report.notices:
        console.print(f"note: {notice}", markup=False)
    for key, (preferred, used) in report.moved_ports.items():
        console.print(
            f"port {preferred} is in use by a program this checkout did not start: "
            f"{SERVICES[key].title} uses port {used} instead (written to .env)"
        )
    for key, why in report.adopted.items():
        console.print(f"{SERVICES[key].title}: using the server at the URL you chose ({why})")
    for reason in report.unavailable.values():
        console.print(reason, markup=False, soft_wrap=True)  # one line, however long
    console.print(up_sentence(report))
    for change in report.env_changes:
        console.print(f".env: {change}", markup=False, highlight=False, soft_wrap=True)


def move_old_postgres_aside(manager: ServiceManager, mode: str, yes: bool) -> None:
    """Offer to move a data folder of another PostgreSQL major version aside (never delete)."""
    if choose_mode(mode) != "embedded":
        return
    data = manager.store.data_dir("postgres") / "data"
    found = embedded_postgres.data_folder_version(data)
    try:
        expected = embedded_postgres.major_version()
    except ServiceStartError:
        return  # not installed: `up` itself says so
    if found is None or found == expected:
        return
    message = str(embedded_postgres.DataFolderTooOld(data, found, expected))
    if not yes:
        if not sys.stdin.isatty():
            raise fail(message)
        console.print(message, markup=False)
        if not typer.confirm("Move the old folder aside and start a fresh one?"):
            raise fail("left as it is: PostgreSQL was not started")
    old = embedded_postgres.move_aside(data, found)
    console.print(f"moved the PostgreSQL {found} data folder to {old}", markup=False)
    console.print(embedded_postgres.dump_hint(old, found), markup=False)


def bring_up(
    manager: ServiceManager,
    mode: str,
    keys: list[str] | None = None,
    yes: bool = False,
    keep_partial: bool = True,
) -> UpReport:
    """Start the services that do not run yet and say what happened; exit on failure.

    With `keep_partial=False` (a test run that will not run), a failure also stops the
    servers this call did start.
    """
    try:
        # a malformed URL is the learner's to fix: starting a server would overwrite its line
        settings = manager.settings()
        wanted = keys or manager.wanted_keys()
        settings.require_valid(*(name for key in wanted for name in SERVICES[key].settings_checked))
        if keys is None or "postgres" in keys:
            move_old_postgres_aside(manager, mode, yes)
        report = manager.up(keys, mode=mode)
    except UpFailed as error:
        print_up_report(error.report)
        if not keep_partial and error.report.launched:
            manager.stop_launched(error.report.launched)
            console.print("stopped the servers this command had started")
        raise fail(f"{error}. See README.md, 'Troubleshooting'.") from None
    except KeyboardInterrupt:
        raise fail("interrupted: stopped the servers this command had started", 130) from None
    except (
        ServiceStartError, SettingsError, StateError, EnvFileError, ProgramNotFound
    ) as error:  # fmt: skip
        raise fail(f"{error}. See README.md, 'Troubleshooting'.") from None
    print_up_report(report)
    return report


def print_status(manager: ServiceManager, explained: Collection[str] = ()) -> bool:
    """Show each service's round trip in a table; return True when all answered.

    `explained`: the services whose reason for not running `up` printed just above the table;
    their rows point up to it instead of printing it again below.
    """
    table = Table(title="Services")
    for column in ("service", "URL", "run by", "round trip", "ms"):
        # a URL's port is what a learner looks for (embedded mode may move it): wrap, never cut
        table.add_column(column, overflow="fold" if column == "URL" else "ellipsis")
    try:
        statuses = manager.status()
    except (SettingsError, StateError) as error:
        raise fail(str(error)) from None
    for status in statuses:
        # why a service is down is a sentence: it goes below the table, on one line of its own
        where = "above" if status.key in explained else "below"
        answer = f"[green]{status.answer}[/]" if status.ok else f"[red]DOWN (see {where})[/]"
        if not (status.ok or status.required):
            answer = f"[yellow]not running (optional, see {where})[/]"
        table.add_row(
            status.title,
            redact_url(status.url),
            status.mode,
            answer,
            f"{status.milliseconds:.0f}",
        )
    console.print(table)
    for status in statuses:
        if not status.ok and status.key not in explained:
            colour = "red" if status.required else "yellow"
            # a reason from `availability` names its service already
            answer = status.answer.removeprefix(f"{status.title}: ")
            console.print(f"[bold {colour}]{status.title}:[/] {answer}", soft_wrap=True)
    return all(status.ok or not status.required for status in statuses)


@services_app.command("up")
def services_up(
    service: Annotated[
        list[str] | None, typer.Argument(help="postgres, mongo, redis, s3, gcs, azure, memcached")
    ] = None,
    mode: ModeOption = "auto",
    yes: YesOption = False,
) -> None:
    """Start the services that are not running yet: by default PostgreSQL, MongoDB, Redis and
    S3, and each optional one (Google Cloud Storage, Azure, Memcached) a lesson lists; name
    services to start only those."""
    unknown = set(service or []) - set(SERVICES)
    if unknown:
        raise fail(f"unknown service(s) {', '.join(sorted(unknown))}: use {', '.join(SERVICES)}")
    manager = ServiceManager()
    report = bring_up(manager, mode, service, yes=yes)
    print_status(manager, explained=report.unavailable)


@services_app.command("down")
def services_down() -> None:
    """Stop exactly the services that `course services up` started in this checkout."""
    manager = ServiceManager()
    for holder in manager.store.holders():
        console.print(
            f"warning: a test run ({holder.describe()}) is using these services; "
            f"its remaining tests will fail",
            markup=False,
        )
    try:
        results = manager.down()
    except (StateError, ServiceStartError) as error:
        raise fail(str(error)) from None
    if not results:
        console.print("stopped: nothing was running")
    for key, result in results.items():
        console.print(f"{SERVICES[key].title}: {DOWN_WORDS.get(result, result)}")


DOWN_WORDS = {
    "stopped": "stopped",
    "already gone": "was not running any more (record removed)",
    "not ours": "left running: that process is not this checkout's server (record removed)",
}


@services_app.command("status")
def services_status() -> None:
    """Show each service, its URL, who runs it and a real round trip to it."""
    if not print_status(ServiceManager()):
        raise typer.Exit(1)  # each service down has had its line, with its own fix


def register(app: typer.Typer) -> None:
    app.add_typer(services_app, name="services")
