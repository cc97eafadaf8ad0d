"""Sessions in Flask done the way a security review wants them, in a small app factory.

Server-side sessions in Redis (Flask-Session), Flask-Login, CSRF on every POST (Flask-WTF),
a new session id at login, and cookies that are HttpOnly, Secure, SameSite and host-only.
`auth_sessions_demo.py` plays a browser's journey through it. The account's own pages
(register, change the password, reset it) are in `auth_account.py`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from auth_account import account_pages
from auth_audit import audit
from auth_config import AuthSettings, check_settings
from auth_devices import DeviceCookies, known_device, remember_device
from auth_forms import PAGE, ButtonForm, CredentialsForm, audit_csrf_refusals
from auth_orders_pages import order_pages
from auth_passwords import Passwords, make_hasher
from auth_session_ids import (
    SessionUser,
    end_all_sessions,
    end_session,
    session_is_current,
    start_session,
)
from auth_store import User, find_user
from auth_throttle import Throttle
from flask import Flask, flash, redirect, render_template_string, request, session, url_for
from flask_login import LoginManager, current_user, login_required
from flask_session import Session as ServerSideSessions
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

LOGIN_FAILED = "Email or password is incorrect."  # the same words whether or not the account exists


def create_session_app(
    settings: AuthSettings,
    *,
    engine: Engine,
    redis_client: redis.Redis,
    clock: Callable[[], float] = time.time,
) -> Flask:
    """Create the Flask app: server-side sessions in Redis, CSRF on every POST, Flask-Login."""
    check_settings(settings)  # refuses to start in production with the development secret
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,  # signs the CSRF tokens
        SESSION_TYPE="redis",
        SESSION_REDIS=redis_client,
        SESSION_KEY_PREFIX=f"{settings.redis_prefix}session:",
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=settings.session_seconds,  # also the Redis key's TTL
        # __Host-: only over HTTPS, for this host alone, for every path (no Domain attribute)
        SESSION_COOKIE_NAME="__Host-session" if settings.cookie_secure else "session",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,  # no JavaScript (and so no XSS payload) can read it
        SESSION_COOKIE_SAMESITE="Lax",  # not sent on cross-site POSTs: CSRF's first fence
    )
    ServerSideSessions(app)
    CSRFProtect(app)
    audit_csrf_refusals(app)  # a refused POST is an audit line, like any bad input
    app.extensions["auth"] = {
        "settings": settings,
        "engine": engine,
        "redis": redis_client,
        "passwords": Passwords(make_hasher(settings)),
        "throttle": Throttle(redis_client, settings.redis_prefix),
        "devices": DeviceCookies(settings.secret_key),
        "outbox": [],  # the emails the app would send: the lesson records them instead
        "clock": clock,  # the time of logins and cut-offs; tests move it by hand
    }
    login_manager = LoginManager(app)
    login_manager.login_view = "login"

    @login_manager.user_loader
    def load_user(user_id: str) -> SessionUser | None:
        if not session_is_current(app, int(user_id)):
            # past its absolute lifetime, or from before "log out everywhere" (saved back by
            # a late request): emptied, so this request's save deletes it, not renews it
            session.clear()
            return None
        with Session(engine) as db:
            user = db.get(User, int(user_id))
            return SessionUser(user) if user else None

    @app.get("/")
    def home() -> str:
        return render_template_string(PAGE, title="Home", form=None, body="Log in or register.")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        form = CredentialsForm()
        if not form.validate_on_submit():
            if request.method == "POST":  # malformed credentials: logged, nothing else changes
                audit("bad_request", path="/login", ip=request.remote_addr or "-")
            status = 400 if request.method == "POST" else 200
            return render_template_string(PAGE, title="Log in", form=form), status
        tools, email, ip = app.extensions["auth"], form.email.data, request.remote_addr or "-"
        with Session(engine) as db:  # the device cookie names the account by its user id
            account = find_user(db, email)
        # a browser that logged in to this account before is counted apart (auth_devices.py)
        device = known_device(app, account.id if account else None)
        wait = tools["throttle"].begin(email, ip, device)  # counted before the check: no race
        if wait:
            audit("login_locked", email=email, ip=ip)
            flash(f"Too many attempts; try again in {wait} seconds.")
            page = render_template_string(PAGE, title="Log in", form=form)
            return page, 429, {"Retry-After": str(wait)}
        with Session(engine) as db:
            user = tools["passwords"].authenticate(db, email, form.password.data)
            if user is None:
                audit("login_failure", email=email, ip=ip)
                flash(LOGIN_FAILED)
                return render_template_string(PAGE, title="Log in", form=form), 401
            tools["throttle"].record_success(email, ip, device)
            start_session(app, SessionUser(user))
        audit("login_success", user_id=current_user.id, ip=ip)
        response = redirect(url_for("account"))
        remember_device(response, app, current_user.id)
        return response

    @app.get("/account")
    @login_required
    def account() -> str:
        body = f"Logged in as {current_user.email}."
        return render_template_string(PAGE, title="Account", form=ButtonForm(), body=body)

    @app.post("/logout")
    @login_required
    def logout():
        audit("logout", user_id=current_user.id)
        end_session(app)
        return redirect(url_for("home"))

    @app.post("/logout-everywhere")
    @login_required
    def logout_everywhere():
        audit("logout_everywhere", user_id=current_user.id)
        end_all_sessions(app, current_user.id)
        end_session(app)
        return redirect(url_for("home"))

    app.register_blueprint(account_pages)
    app.register_blueprint(order_pages)
    return app
