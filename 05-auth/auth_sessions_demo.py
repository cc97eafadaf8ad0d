"""A browser's journey through the Flask app, played with Flask's test client.

Run it to see, in numbered steps: the session id changing at login (no fixation), the
cookie's flags, a POST without its CSRF token refused, the session's key in Redis, logout
deleting it so that the old cookie, replayed, no longer works, and the same answer for an
unknown account. The app is `auth_sessions.create_session_app`, with the real Argon2id cost.
"""

from __future__ import annotations

import logging
import re
import secrets

import redis
from auth_config import load_auth_settings, run_main
from auth_sessions import create_session_app
from auth_store import create_schema, make_engine

import course
from course.sandbox import temporary_postgres_database

# the demo user's password, made up by this script for its throwaway account
DEMO_PASSWORD = "correct horse battery staple"  # nosec B105


def main() -> None:

    logging.basicConfig(level=logging.ERROR)  # the demo uses the development secret
    base = course.require("postgres", "redis")
    with temporary_postgres_database(base, prefix="auth_sessions") as url:
        engine = make_engine(url)
        create_schema(engine)
        client = redis.Redis.from_url(base.redis_url)
        prefix = f"auth-demo-{secrets.token_hex(3)}:"
        settings = load_auth_settings(url, base.redis_url, redis_prefix=prefix)
        app = create_session_app(settings, engine=engine, redis_client=client)
        browser = app.test_client()
        browser.environ_base["wsgi.url_scheme"] = "https"

        def post(path: str, page: str | None = None, **fields: str):
            page_text = browser.get(page or path).get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_text)[1]
            return browser.post(path, data={"csrf_token": token, **fields})

        cookie = app.config["SESSION_COOKIE_NAME"]
        post("/register", email="ada@example.com", password=DEMO_PASSWORD)
        before = browser.get_cookie(cookie).value
        login = post("/login", email="ada@example.com", password=DEMO_PASSWORD)
        after = browser.get_cookie(cookie).value
        print("1. Log in: the session id changes, so one planted before login is worthless")
        print(f"   before: {before[:12]}...  after: {after[:12]}...")
        # the login sets two cookies: the session's, and the device cookie (part 4b)
        set_cookie = next(c for c in login.headers.getlist("Set-Cookie") if c.startswith(cookie))
        print(f"2. The cookie {cookie}: {set_cookie.split(';', 1)[1].strip()}")
        forged = browser.post("/logout-everywhere", data={})
        print(f"3. A POST without its CSRF token: {forged.status_code} (and still logged in: "
              f"{browser.get('/account').status_code == 200})")  # fmt: skip
        print(f"4. In Redis: {client.exists(prefix + 'session:' + after)} session key for this id")
        post("/logout", page="/account")
        thief = app.test_client()
        thief.environ_base["wsgi.url_scheme"] = "https"
        thief.set_cookie(cookie, after, secure=True)
        print(
            f"5. After logout the key is gone ({client.exists(prefix + 'session:' + after)}), "
            f"and the old cookie replayed gets: {thief.get('/account').status_code} (to login)"
        )
        wrong = post("/login", email="nobody@example.com", password=DEMO_PASSWORD)
        print(f"6. Unknown account: {wrong.status_code}, 'Email or password is incorrect.'")
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        engine.dispose()
    print("Conclusion: a new session id at login, sessions that live on the server so logout")
    print("ends them, cookies scripts cannot read, and a CSRF token on every state change.")


if __name__ == "__main__":
    course.script_arguments()
    run_main(main)
