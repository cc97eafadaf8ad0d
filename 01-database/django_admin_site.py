"""The Django admin for the shop, served by a real server process on a free port.

Run `python 01-database/django_admin_site.py`. It migrates a temporary database, places the
sample shop, creates a superuser, and starts Django's development server (`runserver`, in a
process of its own, on a free port of 127.0.0.1) with the admin at /admin/; then it logs in
over HTTP as a browser would (the login form, its CSRF token, the session cookie) and reads
the order list, where the admin's `list_select_related` fetched each order's customer in the
same query. The server is stopped at the end; with `--keep-running` it serves until Ctrl+C,
for you to explore the admin in a browser. runserver is for development only: a deployment
serves the same WSGI application with gunicorn or uWSGI behind a proxy (Django's docs, "How
to deploy with WSGI").
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from django_orm import add_sample_shop
from django_project import configure, temporary_django_database

import course
from course.services.ports import free_port

logger = logging.getLogger(__name__)

URL_VARIABLE = "DJANGO_SHOP_DATABASE_URL"  # the child reads it; argv would show it in `ps`
START_SECONDS = 30
ORDERS_PAGE = "/admin/django_shop/order/"


def create_admin(username: str, password: str) -> None:
    """Create a superuser (what `manage.py createsuperuser` asks for)."""
    from django.contrib.auth.models import User

    User.objects.create_superuser(username, f"{username}@example.com", password)


def serve(port: int, *, fast_hashing: bool = False) -> None:
    """In this process: configure Django from the environment and run the development server."""
    from django.core.management import call_command

    configure(os.environ[URL_VARIABLE], fast_hashing=fast_hashing)
    # --noreload: one process, so stopping it stops the server; --insecure: runserver serves
    # the admin's CSS and JavaScript although DEBUG is off; --skip-checks: the system checks
    # ran when the database was migrated, and take a second at every start
    call_command(
        "runserver",
        f"127.0.0.1:{port}",
        use_reloader=False,
        insecure_serving=True,
        skip_checks=True,
    )


def wait_until_up(base_url: str, server: subprocess.Popen) -> None:
    """Return once the login page answers; raise with the server's output if it never does."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with {server.returncode}: {server.stdout.read()}")
        try:
            with urlopen(f"{base_url}/admin/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError):
            time.sleep(0.05)  # polls an observable condition: the port answering
    raise TimeoutError(f"runserver did not answer at {base_url} within {START_SECONDS} s")


@contextmanager
def running_admin(database_url: str, *, fast_hashing: bool = False) -> Iterator[str]:
    """Start runserver on a free port against `database_url`; yield its base URL; stop it."""
    port = free_port()
    code = f"import django_admin_site; django_admin_site.serve({port}, fast_hashing={fast_hashing})"
    server = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent,
        env={**os.environ, URL_VARIABLE: database_url, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.communicate(timeout=10)


def orders_listed(base_url: str, username: str, password: str) -> str:
    """Log in as a browser does and return the order list's count line, e.g. "3 orders"."""
    import requests

    with requests.Session() as browser:
        login = f"{base_url}/admin/login/?next={ORDERS_PAGE}"
        browser.get(login, timeout=10)  # sets the csrftoken cookie the form must send back
        form = {"username": username, "password": password, "next": ORDERS_PAGE,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"]}  # fmt: skip
        page = browser.post(login, data=form, headers={"Referer": login}, timeout=10)
    page.raise_for_status()
    found = re.search(r"(\d+) orders?\b", page.text)
    return found.group(0) if found else "no order count on the page: was the login refused?"


def keep_serving(base_url: str, password: str) -> None:
    """Wait for Ctrl+C while a person explores the admin in a browser."""
    print(f"   open {base_url}/admin/ and log in as admin / {password}; Ctrl+C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The shop's Django admin under runserver.")
    parser.add_argument(
        "--keep-running", action="store_true", help="serve until Ctrl+C, to explore it"
    )
    keep_running = parser.parse_args(argv).keep_running
    settings = course.require("postgres")
    password = "a-long-demo-password"
    with temporary_django_database(settings, prefix="django_admin") as url:
        add_sample_shop()
        create_admin("admin", password)
        print("1. Migrated, placed the sample shop, created the superuser `admin`.")
        with running_admin(url) as base_url:
            print(f"2. runserver answers at {base_url}/admin/ (its own process)")
            listed = orders_listed(base_url, "admin", password)
            print(f"3. Logged in through the login form; the order list shows {listed}")
            if keep_running:
                keep_serving(base_url, password)
        print("4. The server is stopped; its database is dropped next.")
    print("Conclusion: the admin is a working back office from the models alone; keep it for")
    print("staff, behind a login, and never expose runserver itself to the internet.")


if __name__ == "__main__":
    main()
