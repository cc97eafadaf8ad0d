"""The job worker process: `python 04-api/api_jobs_worker.py worker` (the Procfile's `worker:`).

It reads the same environment as the API (REDIS_URL, DATABASE_URL, API_JOBS_QUEUE), takes
jobs from the queue one at a time and runs each in a work horse: a forked child on Linux,
a spawned one on macOS, where forking a process that has touched Apple's system frameworks
can crash it (RQ's `SpawnWorker` starts a fresh interpreter instead, at a higher cost per
job). SIGTERM to the worker asks for a warm shutdown: the job in hand finishes, then the
worker exits. That holds where SIGTERM reaches the worker alone (`docker stop`, Kubernetes,
systemd with `KillMode=mixed`); Heroku, and systemd's default `KillMode=control-group`, send
it to every process, the horse included, which dies at
once unless the worker is RQ's `HerokuWorker` (`--kind heroku`, as the Procfile says): its
horse ignores SIGTERM and gets about 6 s to finish. `check` is the container's health check.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys

import redis
from api_jobs import make_queue
from api_serve_settings import ConfigError, settings_from_environment
from rq import Queue, SpawnWorker, Worker
from rq.worker import HerokuWorker

logger = logging.getLogger(__name__)

KINDS: dict[str, type[Worker]] = {"fork": Worker, "spawn": SpawnWorker, "heroku": HerokuWorker}


def worker_class(name: str | None = None) -> type[Worker]:
    """RQ's forking Worker; SpawnWorker (posix_spawn) on macOS, where fork() is unsafe."""
    return KINDS[name or ("spawn" if sys.platform == "darwin" else "fork")]


def worker_queues(queue_names: list[str] | None = None) -> list[Queue]:
    """The queues to drain, on a connection without a read timeout (BLPOP waits for minutes)."""
    settings = settings_from_environment()
    connection = make_queue(
        settings.api.redis_url, settings.jobs_queue, socket_timeout=None
    ).connection
    return [Queue(name, connection=connection) for name in queue_names or [settings.jobs_queue]]


def run_worker(queue_names: list[str] | None = None, kind: str | None = None) -> None:
    """Drain the queues until SIGTERM (a warm shutdown: the job in hand finishes first)."""
    queues = worker_queues(queue_names)
    # with_scheduler: retries with an interval wait in a scheduled registry, moved back on time
    worker_class(kind)(queues, connection=queues[0].connection).work(with_scheduler=True)


def worker_is_registered(queue: Queue, hostname: str | None = None) -> bool:
    """Whether a worker of this host is registered for `queue` (RQ renews it while it lives)."""
    hostname = hostname or socket.gethostname()  # in a container: the container's own name
    return any(worker.hostname == hostname for worker in Worker.all(queue=queue))


def main() -> None:
    parser = argparse.ArgumentParser(description="Run an RQ worker for the bookshop's jobs.")
    parser.add_argument(
        "command", nargs="?", choices=["worker", "check"], help="worker: run the worker, as"
        " the Procfile does; check: exit 0 if this host's worker is registered (the"
        " container's health check)"
    )  # fmt: skip
    parser.add_argument("--queue", action="append", help="a queue to drain (API_JOBS_QUEUE)")
    parser.add_argument("--kind", choices=sorted(KINDS), help="default: spawn on macOS, else fork")
    arguments = parser.parse_args()
    if arguments.command is None:  # `make run` runs every script bare: say how to use this one
        parser.print_help()
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    try:
        if arguments.command == "check":
            queue = worker_queues(arguments.queue)[0]
            if not worker_is_registered(queue):
                parser.exit(1, f"error: no worker of {socket.gethostname()} on {queue.name}\n")
            return
        run_worker(arguments.queue, arguments.kind)
    except ConfigError as error:
        parser.exit(2, f"error: {error}\n")
    except redis.ConnectionError as error:
        parser.exit(2, f"error: Redis does not answer ({error}); start it (make services-up)\n")


if __name__ == "__main__":
    main()
