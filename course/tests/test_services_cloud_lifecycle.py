"""The optional cloud emulators' up, status and down, in scratch checkouts of their own.

Azurite is installed once per machine checkout (`.services/tools/`); a scratch checkout links
that install instead of downloading 190 MB again. Without Node.js the tests that need it skip
with the reason; the one that hides Node.js on purpose runs everywhere.
"""

import os
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from course.connection_strings import development_connection_string
from course.paths import SERVICES_DIR
from course.services import azurite
from course.services.availability import embedded_azure_missing
from course.services.manager import ServiceManager, free_port
from course.tests.scratch import Scratch

AZURE_START = "start it with `.venv/bin/course services up azure`"


def link_azurite(scratch: Scratch) -> None:
    """Give the scratch checkout this checkout's Azurite install (installing it if needed)."""
    reason = embedded_azure_missing(SERVICES_DIR)
    if reason:
        pytest.skip(reason)
    azurite.ensure_installed(SERVICES_DIR)
    target = azurite.install_dir(scratch.services_dir)
    target.parent.mkdir(parents=True)
    target.symlink_to(azurite.install_dir(SERVICES_DIR), target_is_directory=True)


def run_with_path(scratch: Scratch, path: str, *arguments: str) -> subprocess.CompletedProcess:
    """`course ARGUMENTS` in the scratch checkout with another PATH (hiding node and npm)."""
    return subprocess.run(
        scratch.command(*arguments), cwd=scratch.root, env={**scratch.environment(), "PATH": path},
        text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        timeout=120,
    )  # fmt: skip


def lines_about(output: str, title: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{title}:")]


def report_part(output: str) -> str:
    """What `up` said, without the status table it prints after."""
    return output.split("┏", 1)[0]


@pytest.mark.slow
def test_up_status_and_down_of_both_emulators(scratch):
    link_azurite(scratch)

    up = scratch.run("services", "up", "gcs", "azure", "--mode", "embedded")
    assert up.returncode == 0, up.stdout
    assert "Started Google Cloud Storage and Azure Blob Storage in embedded mode" in up.stdout
    env = dotenv_values(scratch.env_file)
    assert env["GCS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert "AccountName=devstoreaccount1;" in env["AZURE_STORAGE_CONNECTION_STRING"]
    assert set(scratch.records()) == {"gcs", "azure"}
    assert [len(scratch.servers(key)) for key in ("gcs", "azure")] == [1, 1]

    statuses = {s.key: s for s in ServiceManager(scratch.env_file, scratch.services_dir).status()}
    gcs, azure = statuses["gcs"], statuses["azure"]
    assert azure.answer == (
        f"Azurite-Blob {azurite.AZURITE_VERSION}, account devstoreaccount1 (StorageV2)"
    )
    assert gcs.answer == "Google Cloud Storage API, 0 bucket(s) in project course-local"
    assert gcs.mode.startswith("embedded, started by this checkout")
    assert azure.mode.startswith("embedded, started by this checkout")
    azure_port = scratch.records()["azure"]["port"]
    assert azure.url == f"http://127.0.0.1:{azure_port}/devstoreaccount1"  # not the key

    stopped = ServiceManager(scratch.env_file, scratch.services_dir).down()
    assert stopped == {"gcs": "stopped", "azure": "stopped"}
    assert scratch.leftovers() == []
    assert scratch.records() == {}

    # down: the status says so in one line each, with the command that starts it
    after = scratch.run("services", "status").stdout
    port = env["GCS_ENDPOINT_URL"].rsplit(":", 1)[1]
    assert lines_about(after, "Google Cloud Storage") == [
        f"Google Cloud Storage: nothing listens on 127.0.0.1:{port}: "
        "start it with `.venv/bin/course services up gcs`"
    ]
    (azure_line,) = lines_about(after, "Azure Blob Storage")
    assert azure_line.endswith(AZURE_START)


@pytest.mark.slow
def test_without_node_up_starts_the_others_and_says_why_in_one_line(scratch, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    # where nothing answers: the suite's own Azurite may run on the default port
    dead = development_connection_string(port=free_port())
    scratch.env_file.write_text(f"AZURE_STORAGE_CONNECTION_STRING='{dead}'\n")

    up = run_with_path(scratch, str(empty), "services", "up", "gcs", "azure", "--mode", "embedded")

    assert up.returncode == 0, up.stdout
    assert "Started Google Cloud Storage in embedded mode" in up.stdout
    assert lines_about(report_part(up.stdout), "Azure Blob Storage") == [
        f"Azure Blob Storage: Azurite {azurite.AZURITE_VERSION} runs on Node.js, and node and "
        "npm are not on PATH: install Node.js 20 or newer with npm (https://nodejs.org/, or "
        "`sudo apt install nodejs npm`), or use Docker mode (`course services up --mode docker`)"
    ]
    assert set(scratch.records()) == {"gcs"}
    # the status table `up` prints after points up to that reason instead of repeating it
    table, below = up.stdout.split("┏", 1)[1].split("┘", 1)
    assert "above" in table and "below" not in table  # Azure's row: "..., see above)"
    assert lines_about(below, "Azure Blob Storage") == []
    assert "Node.js" not in below
    ServiceManager(scratch.env_file, scratch.services_dir).down()


FAILING_NPM = """#!/bin/sh
# npm offline: it leaves a half-made folder behind, then fails
/bin/mkdir -p "$3/node_modules/azurite"
echo "npm error code ENOTFOUND" >&2
echo "npm error network request to the registry failed" >&2
exit 1
"""


def test_a_failed_npm_install_is_one_line_and_leaves_no_half_install(tmp_path, monkeypatch):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "npm").write_text(FAILING_NPM)
    (fake_bin / "npm").chmod(0o755)
    (fake_bin / "node").symlink_to("/bin/true")  # only found, never run: the install fails
    monkeypatch.setenv("PATH", str(fake_bin))
    manager = ServiceManager(tmp_path / ".env", tmp_path / ".services")

    report = manager.up(["azure"], mode="embedded")  # optional: no UpFailed

    assert report.failures == {}
    assert report.unavailable == {
        "azure": f"Azure Blob Storage: `npm install azurite@{azurite.AZURITE_VERSION}` failed "
        "(npm error code ENOTFOUND | npm error network request to the registry failed): check "
        "the network and npm's settings, then run `course services up azure` again; it is "
        "optional, so the others went on without it"
    }
    tools = tmp_path / ".services" / "tools"
    assert [path.name for path in tools.iterdir() if path.name != ".lock"] == []
    assert manager.records() == {}


def test_two_installs_at_once_run_npm_once(tmp_path, monkeypatch):
    # a fake npm that takes a while and counts its runs: the second start waits for the first
    counter = tmp_path / "runs"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    main = Path(*azurite.BLOB_MAIN.parts)
    (fake_bin / "npm").write_text(
        f'#!/bin/sh\necho run >> {counter}\nsleep 1\nmkdir -p "$3/{main.parent}"\n'
        f'touch "$3/{main}"\n'
    )
    (fake_bin / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    services_dir = tmp_path / ".services"

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        programs = list(pool.map(lambda _: azurite.ensure_installed(services_dir), range(2)))

    assert counter.read_text().splitlines() == ["run"]
    assert programs[0] == programs[1] == azurite.install_dir(services_dir) / azurite.BLOB_MAIN
