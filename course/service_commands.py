"""`course services up|down|status`, and the service start-up the other commands share."""

from __future__ import annotations

import subprocess
from typing import Annotated

import typer
from rich.table import Table

from course.console import console, fail
from course.services.embedded import ServiceStartError
from course.services.manager import ServiceManager, UpReport
from course.services.probes import SERVICES
from course.settings import SettingsError, redact_url

services_app = typer.Typer(help="Start, stop and check PostgreSQL, MongoDB, Redis and S3.")

ModeOption = Annotated[
    str, typer.Option("--mode", help="auto (Docker if an engine answers), docker or embedded")
]


def titles(keys: list[str]) -> str:
    """The services' titles as a phrase: "PostgreSQL, Redis and S3"."""
    names = [SERVICES[key].title for key in keys]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def up_sentence(report: UpReport) -> str:
    """What `up` did, as one sentence a learner reads at a glance."""
    running = report.already_running
    answering = f"{titles(running)} {'was' if len(running) == 1 else 'were'} already answering"
    if not report.started:
        return f"{answering}, so none was started." if running else "No service was needed."
    started = f"Started {titles(report.started)} in {report.mode} mode in {report.seconds:.1f}s"
    return f"{started}; {answering}." if running else f"{started}."


def print_up_report(report: UpReport) -> None:
    for key, (preferred, used) in report.moved_ports.items():
        console.print(
            f"port {preferred} is in use by another program: {SERVICES[key].title} "
            f"uses port {used} instead (written to .env)"
        )
    console.print(up_sentence(report))


def bring_up(manager: ServiceManager, mode: str, keys: list[str] | None = None) -> UpReport:
    """Start the services that do not answer yet and say what happened; exit on failure."""
    try:
        # a malformed URL is the learner's to fix: starting a server would overwrite its line
        settings = manager.settings()
        settings.require_valid(*(SERVICES[key].url_setting for key in keys or SERVICES))
        report = manager.up(keys, mode=mode)
    except (ServiceStartError, SettingsError, subprocess.CalledProcessError) as error:
        raise fail(f"{error}. See README.md, 'Troubleshooting'.") from None
    print_up_report(report)
    return report


def print_status(manager: ServiceManager) -> bool:
    """Show each service's round trip in a table; return True when all answered."""
    table = Table(title="Services")
    for column in ("service", "URL", "mode", "round trip", "ms"):
        table.add_column(column)
    statuses = manager.status()
    for status in statuses:
        # why a service is down is a sentence: it goes below the table, on one line of its own
        answer = f"[green]{status.answer}[/]" if status.ok else "[red]DOWN (see below)[/]"
        table.add_row(
            status.title,
            redact_url(status.url),
            status.mode,
            answer,
            f"{status.milliseconds:.0f}",
        )
    console.print(table)
    for status in statuses:
        if not status.ok:
            console.print(f"[bold red]{status.title}:[/] {status.answer}", soft_wrap=True)
    return all(status.ok for status in statuses)


@services_app.command("up")
def services_up(
    service: Annotated[list[str] | None, typer.Argument(help="postgres, mongo, redis, s3")] = None,
    mode: ModeOption = "auto",
) -> None:
    """Start the services that are not running yet (all four by default)."""
    unknown = set(service or []) - set(SERVICES)
    if unknown:
        raise fail(f"unknown service(s) {', '.join(sorted(unknown))}: use {', '.join(SERVICES)}")
    manager = ServiceManager()
    bring_up(manager, mode, service)
    print_status(manager)


@services_app.command("down")
def services_down() -> None:
    """Stop exactly the services that `course services up` started."""
    stopped = ServiceManager().down()
    console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@services_app.command("status")
def services_status() -> None:
    """Show each service, its URL, its mode and a real round trip to it."""
    if not print_status(ServiceManager()):
        raise typer.Exit(1)  # each service down has had its line, with its own fix


def register(app: typer.Typer) -> None:
    app.add_typer(services_app, name="services")
