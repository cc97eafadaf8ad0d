"""Stand-in servers for the services tests: real processes that behave like a server."""

import subprocess

# listens on a free port, says which on its first line of output, then waits
LISTENING_SERVER = (
    "import socket, time\n"
    "server = socket.socket()\n"
    "server.bind(('127.0.0.1', 0))\n"
    "server.listen()\n"
    "print(server.getsockname()[1], flush=True)\n"
    "time.sleep(60)\n"
)


def finish(*processes: subprocess.Popen) -> None:
    """Kill the test's processes, wait for them and close their pipes (no ResourceWarning)."""
    for process in processes:
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream:
                stream.close()
