"""Memcached, the optional service of 01-database part 3c: settings, availability, servers.

Where no `memcached` program exists, the tests that need a server skip with the reason;
the ones that hide the program on purpose run everywhere.
"""

import socket
import threading
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values
from pymemcache.client.base import Client

import course
from course import doctor
from course.services import availability
from course.services.manager import ServiceManager
from course.services.private import private_server
from course.services.probes import SERVICES
from course.services.servers.memcached import MemcachedServer, delete_prefixed, metadump_keys
from course.settings import Settings, SettingsError, get_settings

ROOT = Path(__file__).resolve().parents[2]
NO_MEMCACHED = availability.embedded_memcached_missing()
needs_memcached = pytest.mark.skipif(NO_MEMCACHED is not None, reason=NO_MEMCACHED or "")


@pytest.fixture
def without_memcached(monkeypatch):
    """As on a machine where `memcached` is not installed (other programs stay found)."""
    real_which = availability.shutil.which
    monkeypatch.setattr(
        availability.shutil, "which", lambda name: None if name == "memcached" else real_which(name)
    )


@pytest.mark.parametrize(
    ("bad_value", "expected_words"),
    [
        ("127.0.0.1:11211", "not a URL; it must start with 'memcached://'"),
        ("redis://127.0.0.1:11211", "has scheme 'redis'; it must start with 'memcached://'"),
        ("memcached://127.0.0.1:port", "has port 'port', not a number from 1 to 65535"),
    ],
)
def test_a_malformed_memcached_url_gets_one_line_naming_it_and_its_file(
    tmp_path, monkeypatch, bad_value, expected_words
):
    monkeypatch.delenv("MEMCACHED_URL", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"MEMCACHED_URL={bad_value}\n")

    with pytest.raises(SettingsError) as raised:
        get_settings(env_file).require_valid("memcached_url")

    message = str(raised.value)
    assert message.startswith(f"MEMCACHED_URL (from {env_file}) ")
    assert expected_words in message
    assert "(e.g. memcached://127.0.0.1:11211)" in message and "\n" not in message


def test_the_default_is_the_address_docker_compose_publishes():
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["memcached"]

    assert Settings(_env_file=None).memcached_url == "memcached://127.0.0.1:11211"
    assert dotenv_values(ROOT / ".env.example")["MEMCACHED_URL"] == "memcached://127.0.0.1:11211"
    assert service["ports"] == ["127.0.0.1:11211:11211"]
    assert service["image"].startswith("memcached:1.")
    assert "version" in service["healthcheck"]["test"][-1]  # the protocol's own command


def test_without_the_program_the_reason_says_how_to_install_it(without_memcached):
    reason = availability.embedded_missing("memcached", Path("unused"))

    assert reason.startswith("Memcached: no `memcached` program on PATH")
    assert "`sudo apt install memcached`" in reason and "`brew install memcached`" in reason
    check = doctor.check_memcached_program()
    assert (check.ok, check.required) == (False, False)
    assert "apt install memcached" in check.fix


def test_without_the_program_up_starts_nothing_for_it_and_says_why(tmp_path, without_memcached):
    manager = ServiceManager(tmp_path / ".env", tmp_path / ".services")

    report = manager.up(["memcached"], mode="embedded")

    assert report.started == [] and report.failures == {}
    assert report.unavailable["memcached"].startswith("Memcached: no `memcached` program")


def test_without_the_program_a_notebook_naming_it_stops_with_the_reason(
    monkeypatch, without_memcached
):
    monkeypatch.setenv("COURSE_SERVICES_MODE", "embedded")

    with pytest.raises(course.ServicesDown, match=r"^Memcached: no `memcached` program on PATH"):
        course.check_services("memcached")


def test_memcached_is_optional_and_started_for_the_lesson_that_lists_it():
    assert SERVICES["memcached"].optional
    assert "memcached" in ServiceManager().wanted_keys()  # 01-database lists it
    assert doctor.lessons_listing("memcached") == "01-database"


@needs_memcached
def test_a_private_memcached_answers_its_teardown_deletes_only_a_prefix_and_it_is_gone_after():
    with private_server("memcached") as server:
        assert server.url.startswith("memcached://127.0.0.1:")
        assert SERVICES["memcached"].check(Settings(_env_file=None, memcached_url=server.url))
        mine = Client(("127.0.0.1", server.port), key_prefix=b"t_1:", default_noreply=False)
        other = Client(("127.0.0.1", server.port), default_noreply=False)
        # a dump of hundreds of keys is many times the 4 KB pymemcache's raw_command keeps
        names = [f"key-{number}" for number in range(300)]
        mine.set_many(dict.fromkeys(names, b"1"))
        other.set_many({"someone-else": b"3", "t_2:a": b"4"})

        assert delete_prefixed(mine, "t_1:") == 300

        assert mine.get_many(names) == {}
        assert other.get_many(["someone-else", "t_2:a"]) == {"someone-else": b"3", "t_2:a": b"4"}
        mine.close()
        other.close()
        process, home = server.process, server.home
    assert not process.is_running()
    assert not home.exists()
    assert MemcachedServer().version().startswith("Memcached 1.")


def test_a_busy_lru_crawler_is_asked_again_not_waited_on_until_a_timeout():
    # Memcached runs one crawler request at a time and answers a second one (another test's
    # teardown) with this line and no END; these are real 1.6.18 replies, replayed
    replies = [b"BUSY currently processing crawler request\r\n",
               b"key=t_1%3Aa exp=-1 la=1 cas=1 fetch=no cls=1 size=63\r\nEND\r\n"]  # fmt: skip
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        for reply in replies:
            connection, _ = listener.accept()
            with connection:
                connection.recv(100)
                connection.sendall(reply)

    server = threading.Thread(target=answer, daemon=True)
    server.start()
    with listener:
        keys = metadump_keys(listener.getsockname(), wait_seconds=2)
    server.join(timeout=2)

    assert keys == ["t_1:a"]
