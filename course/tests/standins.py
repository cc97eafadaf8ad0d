"""Stand-in servers for the services tests: real processes that behave like a server."""

# listens on a free port, says which on its first line of output, then waits
LISTENING_SERVER = (
    "import socket, time\n"
    "server = socket.socket()\n"
    "server.bind(('127.0.0.1', 0))\n"
    "server.listen()\n"
    "print(server.getsockname()[1], flush=True)\n"
    "time.sleep(60)\n"
)
