"""A request id carried by `contextvars`: into every log line, into threads and asyncio tasks.

Running it handles three "requests" at once in threads, each logging from a helper thread and
from asyncio tasks, and prints their JSON lines: every line carries its own request's id,
because a filter copies the context variable into each record. A plain thread started
without `copy_context()` loses the id (shown).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

# one variable for the whole process; each thread and each asyncio task sees its own value
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id() -> str:
    """Return a fresh, unguessable request id (16 hex characters)."""
    return secrets.token_hex(8)


class RequestIdFilter(logging.Filter):
    """Copy the current request id onto every record that passes (a handler-level filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # a record that already has one was stamped in its request's thread (before a queue)
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True  # a filter that only enriches lets every record through


def run_in_thread(function: Callable[[], Result]) -> Result:
    """Run function in a new thread *inside a copy of this context*, so the request id follows."""
    context = contextvars.copy_context()
    results: list[Result] = []
    worker = threading.Thread(target=lambda: results.append(context.run(function)))
    worker.start()
    worker.join()
    return results[0]


def run_in_plain_thread(function: Callable[[], Result]) -> Result:
    """Run function in a new thread the naive way: it starts with an empty context (wrong)."""
    results: list[Result] = []
    worker = threading.Thread(target=lambda: results.append(function()))
    worker.start()
    worker.join()
    return results[0]


async def _step(name: str) -> str:
    await asyncio.sleep(0)  # let the other tasks run: their ids must not leak into this one
    logger.info("async step %s", name)
    return request_id_var.get()


async def _gather_steps() -> list[str]:
    # create_task copies the current context, so every task starts with the request's id
    return list(await asyncio.gather(*(_step(name) for name in ("a", "b"))))


def handle_request(request_id: str) -> dict[str, object]:
    """Handle one request: set its id, log here, in a thread, in asyncio; return the ids seen."""
    token = request_id_var.set(request_id)
    try:
        logger.info("request started")
        in_thread = run_in_thread(request_id_var.get)
        with ThreadPoolExecutor(max_workers=1) as pool:
            # executors do not copy the context either: submit through context.run
            in_pool = pool.submit(contextvars.copy_context().run, request_id_var.get).result()
        in_tasks = asyncio.run(_gather_steps())
        naive = run_in_plain_thread(request_id_var.get)
        logger.info("request finished")
        return {"thread": in_thread, "pool": in_pool, "tasks": in_tasks, "plain_thread": naive}
    finally:
        request_id_var.reset(token)  # the id must not outlive its request on a reused thread


def main() -> None:
    # this file runs as __main__: import it by name, so that the demo and the filter that
    # json_handler() adds share one context variable (two imports would make two variables)
    import logging_context
    from logging_structured import json_handler

    root = logging.getLogger()
    root.addHandler(json_handler())
    root.setLevel(logging.INFO)
    ids = [new_request_id() for _ in range(3)]
    print("1. Three requests at once, each in its own thread; their JSON lines:")
    with ThreadPoolExecutor(max_workers=3) as pool:
        seen = list(
            pool.map(
                lambda rid: contextvars.copy_context().run(logging_context.handle_request, rid), ids
            )
        )
    print("2. What each request saw in a copied thread, a pool, asyncio tasks, a plain thread:")
    for request_id, found in zip(ids, seen, strict=True):
        print(f"   {request_id}: {found}")
    print("Conclusion: a ContextVar plus a logging filter puts the request id on every line;")
    print("asyncio tasks copy the context by themselves, threads need copy_context().run.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
