"""`course services up` and `down` in embedded mode, on a throwaway set of servers.

These tests start a second set of the four servers beside the ones the suite uses, in their
own folder and with their own `.env`, so they never disturb the services under test.
"""

import shutil
import socket
import uuid
from collections.abc import Iterator

import psutil
import pytest
from dotenv import dotenv_values

from course.paths import SERVICES_DIR
from course.services import launch
from course.services.envfile import update_env_file
from course.services.manager import ServiceManager, free_port, port_is_free
from course.services.probes import SERVICES, required_keys
from course.services.servers import embedded_servers
from course.services.state import StateStore

URL_VARIABLES = {
    "postgres": "DATABASE_URL",
    "mongo": "MONGO_URL",
    "redis": "REDIS_URL",
    "s3": "S3_ENDPOINT_URL",
}
DEAD_URLS = {
    "DATABASE_URL": "postgresql+psycopg://course:course@127.0.0.1:{port}/course",
    "MONGO_URL": "mongodb://127.0.0.1:{port}/course?directConnection=true",
    "REDIS_URL": "redis://127.0.0.1:{port}/0",
    "S3_ENDPOINT_URL": "http://127.0.0.1:{port}",
}


@pytest.fixture
def taken_ports() -> Iterator[dict[str, int]]:
    """A port per service that another program (a bare listening socket) holds."""
    sockets = {}
    for key in SERVICES:
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        sockets[key] = holder
    yield {key: holder.getsockname()[1] for key, holder in sockets.items()}
    for holder in sockets.values():
        holder.close()


@pytest.fixture
def isolated_manager(tmp_path, taken_ports, monkeypatch) -> Iterator[ServiceManager]:
    """A manager with its own `.env` (pointing at dead ports) and its own data folder."""
    for variable in URL_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    env_file = tmp_path / ".env"
    update_env_file(env_file, {var: url.format(port=free_port()) for var, url in DEAD_URLS.items()})
    # inside the repository: PostgreSQL's unprivileged user must be able to reach it
    services_dir = SERVICES_DIR / f"test-{uuid.uuid4().hex[:8]}"
    manager = ServiceManager(env_file, services_dir, preferred_ports=taken_ports)
    yield manager
    manager.down()
    shutil.rmtree(services_dir, ignore_errors=True)


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_up_takes_a_free_port_when_one_is_taken_and_writes_it_to_env(isolated_manager, taken_ports):
    report = isolated_manager.up(mode="embedded")

    # the four every checkout runs: no lesson in this folder asks for an optional one
    assert sorted(report.started) == sorted(required_keys())
    assert set(report.moved_ports) == set(required_keys())
    env = dotenv_values(isolated_manager.env_file)
    assert env["COURSE_SERVICES_MODE"] == "embedded"
    for key, (preferred, used) in report.moved_ports.items():
        assert preferred == taken_ports[key]
        assert used != preferred
        assert f"127.0.0.1:{used}" in env[URL_VARIABLES[key]]
    assert all(status.ok or not status.required for status in isolated_manager.status())


@pytest.mark.slow
def test_up_is_idempotent_and_down_leaves_no_process_behind(isolated_manager):
    isolated_manager.up(mode="embedded")
    pids = [record.pid for record in isolated_manager.records().values()]
    family = pids + [child.pid for pid in pids for child in psutil.Process(pid).children(True)]

    second = isolated_manager.up(mode="embedded")
    stopped = isolated_manager.down()

    assert second.started == []
    assert sorted(second.already_running) == sorted(required_keys())
    assert stopped == dict.fromkeys(required_keys(), "stopped")
    assert [pid for pid in family if running(pid)] == []
    assert isolated_manager.records() == {}


def test_a_port_is_free_again_right_after_its_server_stops():
    # a server that closes an accepted connection first leaves it in TIME_WAIT on its port;
    # servers (PostgreSQL, Redis, ...) set SO_REUSEADDR, so they may bind again at once
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not port_is_free(port)
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()
            client.recv(1)
    assert port_is_free(port)


@pytest.mark.slow
def test_without_an_embedded_mongo_up_starts_the_others_and_says_why(isolated_manager, monkeypatch):
    from course.services import availability

    monkeypatch.setattr("importlib.util.find_spec", lambda name, *rest: None)
    reason = availability.embedded_mongo_missing()
    monkeypatch.undo()
    monkeypatch.setattr(availability, "embedded_mongo_missing", lambda: reason)

    report = isolated_manager.up(["mongo", "redis"], mode="embedded")

    assert report.started == ["redis"]
    assert report.unavailable == {"mongo": reason}
    assert reason.startswith("MongoDB: no embedded MongoDB server installs on Python 3.")
    assert "(SecantusDB has no wheel for it); use `make PYTHON=python3.13` or Docker" in reason
    assert "mongo" not in isolated_manager.records()


def test_doctor_shows_whether_an_embedded_mongo_installs_here(monkeypatch):
    from course import doctor

    assert doctor.check_embedded_mongo().ok  # SecantusDB is installed on this Python
    monkeypatch.setattr(doctor, "embedded_mongo_missing", lambda: "MongoDB: no embedded ...")
    check = doctor.check_embedded_mongo()
    assert (check.ok, check.required, check.detail) == (False, False, "MongoDB: no embedded ...")


def test_up_in_docker_mode_for_one_service_writes_only_that_services_keys(tmp_path, monkeypatch):
    # no Docker engine here: `docker compose up` itself is replaced, the .env logic is real
    from course.services import manager as manager_module

    composed = []
    monkeypatch.setattr(manager_module, "run_compose", composed.append)
    for variable in ("REDIS_URL", "S3_BUCKET", "AWS_ACCESS_KEY_ID", "COURSE_SERVICES_MODE"):
        monkeypatch.delenv(variable, raising=False)
    env_file = tmp_path / ".env"
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    env_file.write_text(f"REDIS_URL={dead_redis}\nS3_BUCKET=mine\nAWS_ACCESS_KEY_ID=my-key\n")
    manager = ServiceManager(env_file, tmp_path / ".services")

    report = manager.up(["redis"], mode="docker")

    assert composed == [["up", "-d", "--wait"]]
    assert report.started == ["redis"]
    env = dotenv_values(env_file)
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert (env["S3_BUCKET"], env["AWS_ACCESS_KEY_ID"]) == ("mine", "my-key")
    assert env["COURSE_SERVICES_MODE"] == "docker"
    assert f"# REDIS_URL={dead_redis}" in env_file.read_text()  # the learner's line is kept


@pytest.mark.slow
def test_a_server_that_lost_its_port_to_a_passing_socket_starts_on_another(tmp_path, monkeypatch):
    # a socket without SO_REUSEADDR, such as a client's ephemeral port, holds the port at the
    # server's bind and is gone when the course looks: only the server's log says why it exited
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    port = holder.getsockname()[1]

    def holder_gone(port: int) -> bool:
        holder.close()
        return port_is_free(port)

    monkeypatch.setattr(launch, "port_is_free", holder_gone)
    store = StateStore(tmp_path / ".services", ["redis"])
    servers = {"redis": embedded_servers()["redis"]}
    launched, failures = launch.start_all(servers, {"redis": port}, store)
    try:
        assert failures == {}
        assert launched["redis"].port != port
        log = servers["redis"].log_file(store.data_dir("redis")).read_text()
        assert "Address already in use" in log  # the first start did meet the holder
    finally:
        launch.undo("redis", servers["redis"], launched, store)
        holder.close()
