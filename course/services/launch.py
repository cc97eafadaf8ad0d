"""Start several embedded servers at once, recording each the moment its process exists.

One server that fails is stopped and reported while the others go on; any other exception,
or Ctrl-C, stops every server this call started before it propagates.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from course.services import process as processes
from course.services.ports import free_port, port_is_free
from course.services.programs import ProgramNotFound
from course.services.servers import Server, ServiceStartError
from course.services.state import Record, StateStore


def start_all(
    servers: dict[str, Server], ports: dict[str, int], store: StateStore
) -> tuple[dict[str, Record], dict[str, str]]:
    """Start each server on its port; return the records of those that run, and the failures."""
    launched: dict[str, Record] = {}
    guard, cancelled = threading.Lock(), threading.Event()

    def start_one(key: str, port: int, attempts: int = 3) -> None:
        server, home = servers[key], store.data_dir(key)
        log_start = server.log_size(home)
        process = server.start(port, home)
        record = Record(
            "embedded", server.url_settings(port), port, process.pid, process.create_time(),
            str(home), str(store.checkout),
        )  # fmt: skip
        with guard:
            launched[key] = record
        store.save_record(key, record)
        try:
            server.wait_until_ready(process.pid, port, home, cancelled)
        except ServiceStartError:
            # another program took the port between our check and the server's bind (another
            # checkout starting, or a client's ephemeral port): try again on a free one. The
            # log says so even when the holder is gone by now, as a client's socket soon is.
            lost = not port_is_free(port) or server.lost_the_port(home, log_start)
            if attempts <= 1 or processes.is_alive(process.pid) or not lost:
                raise
            undo(key, server, launched, store)
            start_one(key, free_port(), attempts - 1)

    failures: dict[str, str] = {}
    if not servers:
        return launched, failures
    pool = ThreadPoolExecutor(len(servers), thread_name_prefix="start")
    try:
        futures = {key: pool.submit(start_one, key, ports[key]) for key in servers}
        for key, future in futures.items():
            try:
                future.result()
            except (ServiceStartError, ProgramNotFound) as error:
                failures[key] = f"{servers[key].title}: {error}".replace(
                    f"{servers[key].title}: {servers[key].title}", servers[key].title
                )
                undo(key, servers[key], launched, store)
    except BaseException:
        cancelled.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for key in list(launched):
            undo(key, servers[key], launched, store)
        raise
    finally:
        pool.shutdown(wait=True)
    return launched, failures


def undo(key: str, server: Server, launched: dict[str, Record], store: StateStore) -> None:
    """Stop a server this run started and forget its record."""
    record = launched.pop(key, None)
    if record is None or record.pid is None:
        return
    server.stop(record.pid, record.create_time, store.data_dir(key))
    # the state may be unwritable: that cause is already being raised
    with contextlib.suppress(Exception):
        store.forget(key)
