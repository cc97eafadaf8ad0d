"""Real faults on localhost: an HTTP upstream that answers, stalls, or drops the connection.

Running it starts one small TCP server and asks it three times with httpx2 and a 0.2 s
timeout: in `ok` mode it answers; in `slow` mode it waits before answering (the client's
timeout fires: a real `ReadTimeout`); in `drop` mode it sends the headers and half the body,
then resets the connection (a real `RemoteProtocolError`). The tests use the same server.
"""

from __future__ import annotations

import json
import socket
import socketserver
import struct
import threading
import time

import httpx2

MODES = ("ok", "slow", "drop", "status")


def closed_port() -> int:
    """Return a localhost port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler(socketserver.BaseRequestHandler):
    server: FaultyUpstream

    def handle(self) -> None:
        request = self.request.recv(65536)  # one small GET is all a client here sends
        if not request:
            return  # a connection opened and closed without a request: not a request
        self.server.requests += 1
        self.server.paths.append(request.split(b" ")[1].decode(errors="replace"))
        self.server.raw_requests.append(request)
        body = json.dumps({"currency": "EUR", "rate": 1.08}).encode()
        code = self.server.status if self.server.mode == "status" else 200
        head = f"HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        if self.server.mode == "slow":
            # wait on an event, not time.sleep: stopping the server ends the wait at once
            self.server.stopping.wait(self.server.delay)
        if self.server.mode == "drop":
            self.request.sendall(f"{head}\r\n\r\n".encode() + body[: len(body) // 2])
            # SO_LINGER with a zero timeout makes close() send a TCP reset, as a crash would
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        self.request.sendall(f"{head}\r\nConnection: close\r\n\r\n".encode() + body)


class FaultyUpstream(socketserver.ThreadingTCPServer):
    """A real HTTP server on 127.0.0.1 whose behaviour (`mode`) can change between requests."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str = "ok", delay: float = 1.0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.delay, self.requests = mode, delay, 0
        self.status = 404  # what `status` mode answers with
        self.paths: list[str] = []  # the path of every request received, in order
        self.raw_requests: list[bytes] = []  # each request as received: its headers too
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultyUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join()


def main() -> None:
    with FaultyUpstream(delay=2.0) as upstream, httpx2.Client(timeout=0.2) as client:
        for number, mode in enumerate(MODES, start=1):
            upstream.mode = mode
            started = time.perf_counter()
            try:
                answer = client.get(f"{upstream.url}/rates/EUR").json()
                outcome = f"answered {answer}"
            except httpx2.HTTPError as error:
                outcome = f"{type(error).__name__}: {error}"
            elapsed_ms = (time.perf_counter() - started) * 1000
            print(f"{number}. mode={mode!r}: {outcome} ({elapsed_ms:.0f} ms)")
    print("Conclusion: a timeout turns a stalled upstream into a fast, clear error; a dropped")
    print("connection is a distinct error. Both are real network behaviour, not mocks.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
