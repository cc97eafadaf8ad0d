"""The job worker process: `python 04-api/api_jobs_worker.py worker` (the Procfile's `worker:`).

It reads the same environment as the API (REDIS_URL, DATABASE_URL, API_JOBS_QUEUE), takes
jobs from the queue one at a time and runs each in a work horse: a forked child on Linux,
a spawned one on macOS, where forking a process that has touched Apple's system frameworks
can crash it (RQ's `SpawnWorker` starts a fresh interpreter instead, at a higher cost per
job). SIGTERM asks for a warm shutdown: the job in hand finishes, then the worker exits; a
second SIGTERM kills the horse. Scale out by starting more worker processes.
"""

from __future__ import annotations

import argparse
import logging
import sys

from api_jobs import make_queue
from api_serve_settings import ConfigError, settings_from_environment
from rq import Queue, SpawnWorker, Worker

logger = logging.getLogger(__name__)


def worker_class(name: str | None = None) -> type[Worker]:
    """RQ's forking Worker; SpawnWorker (posix_spawn) on macOS, where fork() is unsafe."""
    name = name or ("spawn" if sys.platform == "darwin" else "fork")
    return {"fork": Worker, "spawn": SpawnWorker}[name]


def run_worker(queue_names: list[str] | None = None, kind: str | None = None) -> None:
    """Drain the queues until SIGTERM (a warm shutdown: the job in hand finishes first)."""
    settings = settings_from_environment()
    connection = make_queue(
        settings.api.redis_url, settings.jobs_queue, socket_timeout=None
    ).connection
    queues = [Queue(name, connection=connection) for name in queue_names or [settings.jobs_queue]]
    # with_scheduler: retries with an interval wait in a scheduled registry, moved back on time
    worker_class(kind)(queues, connection=connection).work(with_scheduler=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run an RQ worker for the bookshop's jobs.")
    parser.add_argument("command", nargs="?", choices=["worker"], help="the Procfile's worker:")
    parser.add_argument("--queue", action="append", help="a queue to drain (API_JOBS_QUEUE)")
    parser.add_argument("--kind", choices=["fork", "spawn"], help="default: spawn on macOS")
    arguments = parser.parse_args()
    if arguments.command is None:  # `make run` runs every script bare: say how to use this one
        parser.print_help()
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    try:
        run_worker(arguments.queue, arguments.kind)
    except ConfigError as error:
        parser.exit(2, f"error: {error}\n")


if __name__ == "__main__":
    main()
