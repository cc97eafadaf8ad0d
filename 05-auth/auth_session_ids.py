"""Which sessions a user has, so that logout, a password change or a reset can end them.

Flask-Session keeps each session under `<prefix><session id>` in Redis; this module keeps, per
user, the set of their session ids. Deleting those keys ends the sessions for real: a copied
cookie then points at nothing; the user's refresh tokens (part 3a) are revoked too. With Flask's
default cookie sessions, the data lives in the cookie itself, and no server-side delete can
take it back. A session's Redis lifetime slides (every request renews it), so a session in
constant use would never end: each also carries its login time, and ends
`session_absolute_seconds` after it however busy it is (ASVS 4.0.3 3.3.2).
"""

from __future__ import annotations

from auth_devices import generation_key
from auth_refresh import RefreshTokens
from auth_store import User
from flask import Flask, session
from flask_login import UserMixin, current_user, login_user, logout_user


class SessionUser(UserMixin):
    """The logged-in user as Flask-Login sees it: an id, an email and a role."""

    def __init__(self, user: User) -> None:
        self.id, self.email, self.role = user.id, user.email, user.role


def sessions_key(app: Flask, user_id: int) -> str:
    """Return the Redis key of the set of a user's session ids."""
    return f"{app.extensions['auth']['settings'].redis_prefix}user-sessions:{user_id}"


def start_session(app: Flask, user: SessionUser) -> None:
    """Log the user in under a new session id, and remember the id for "log out everywhere"."""
    login_user(user)
    # a new id at login: an id an attacker planted before login is worth nothing after it
    app.session_interface.regenerate(session)
    session["logged_in_at"] = app.extensions["auth"]["clock"]()
    app.extensions["auth"]["redis"].sadd(sessions_key(app, user.id), session.sid)


def end_session(app: Flask) -> None:
    """Log out: the session's data is deleted from Redis, so its cookie is worthless."""
    app.extensions["auth"]["redis"].srem(sessions_key(app, current_user.id), session.sid)
    logout_user()
    session.clear()  # Flask-Session deletes an emptied session from Redis


def end_all_sessions(app: Flask, user_id: int) -> None:
    """Delete every session, refresh token and device cookie of a user: every device is out."""
    client, key = app.extensions["auth"]["redis"], sessions_key(app, user_id)
    prefix = app.config["SESSION_KEY_PREFIX"]
    session_ids = [sid.decode() if isinstance(sid, bytes) else sid for sid in client.smembers(key)]
    # a request in flight on another device saves its session back when it ends, after this
    # delete; the cut-off below makes such a resurrected session worthless all the same. It has
    # no TTL: a session's lifetime slides with every request, so any TTL could be outlived.
    client.set(cutoff_key(app, user_id), app.extensions["auth"]["clock"]())
    client.delete(key, *(prefix + sid for sid in session_ids))
    client.incr(generation_key(app, user_id))  # and the device cookies issued so far
    settings = app.extensions["auth"]["settings"]  # the token API's sessions end too
    refresh = RefreshTokens(client, settings.redis_prefix, settings.refresh_token_seconds)
    refresh.revoke_user(user_id)


def cutoff_key(app: Flask, user_id: int) -> str:
    """Return the Redis key of the moment before which a user's sessions no longer count."""
    return f"{app.extensions['auth']['settings'].redis_prefix}sessions-cutoff:{user_id}"


def session_is_current(app: Flask, user_id: int) -> bool:
    """Return whether this session began after the last "log out everywhere", recently enough."""
    tools = app.extensions["auth"]
    logged_in_at = session.get("logged_in_at", 0)
    if tools["clock"]() - logged_in_at >= tools["settings"].session_absolute_seconds:
        return False  # the absolute limit: however busy, log in again
    cutoff = tools["redis"].get(cutoff_key(app, user_id))
    return cutoff is None or logged_in_at > float(cutoff)
