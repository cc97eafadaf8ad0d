"""Multi-factor authentication: TOTP (RFC 6238) with pyotp, and one-time recovery codes.

Enrolment gives the user a secret as a provisioning URI (an authenticator app scans it as a
QR code). A code is accepted one step (30 s) early or late, for clock drift, and only once:
the time step it matched is remembered in Redis, so a code seen over a shoulder or phished
cannot be replayed in the same minute. Recovery codes are random, shown once, stored as
Argon2id hashes and crossed out when used. TOTP is still phishable (a fake site can relay a
code at once); WebAuthn/passkeys are not, because the browser binds the answer to the site.
The factor is built as functions, not wired into the Flask login; `check_second_factor` puts
the login's throttle in front of it, since six digits are guessable without one.
"""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import redis
from auth_crypto import decrypt, encrypt
from auth_passwords import Passwords
from auth_store import RecoveryCode, User, utc_now
from auth_throttle import Throttle
from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

ISSUER = "Python backend course"
DRIFT_STEPS = 1  # one 30-second step either side (RFC 6238, section 5.2)


def enrol(user: User, keys: MultiFernet) -> str:
    """Give the user a new TOTP secret and return its provisioning URI (the caller commits)."""
    secret = pyotp.random_base32()
    user.totp_secret = encrypt(keys, secret)  # a database leak must not leak second factors
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def verify_totp(
    client: redis.Redis,
    prefix: str,
    keys: MultiFernet,
    user: User,
    code: str,
    *,
    now: float | None = None,
) -> bool:
    """Return whether the code is right for now (±1 step) and was not used before."""
    if user.totp_secret is None or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(decrypt(keys, user.totp_secret))
    now = time.time() if now is None else now
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            step = int(now // totp.interval) + offset  # the RFC's T, the time-step counter
            # SET NX: only the first use of this step's code succeeds, even if two race
            key = f"{prefix}totp-used:{user.id}:{step}"
            return bool(client.set(key, 1, nx=True, ex=totp.interval * (2 * DRIFT_STEPS + 2)))
    return False


def check_second_factor(
    throttle: Throttle,
    keys: MultiFernet,
    user: User,
    code: str,
    *,
    ip: str,
    device: str | None = None,
    now: float | None = None,
) -> bool:
    """Verify a TOTP code behind a throttle: counted per device, like the password."""
    # RFC 4226, section 7.3 (which RFC 6238 follows): the server SHOULD throttle guesses. A
    # known device (the nonce of its device cookie) has its own counter: the lock an attacker
    # renews on the account does not refuse the owner's second factor
    if throttle.begin(user.email, ip, device):
        return False
    if verify_totp(throttle.client, throttle.prefix, keys, user, code, now=now):
        throttle.record_success(user.email, ip, device)
        return True
    return False


def new_recovery_codes(
    session: Session, passwords: Passwords, user: User, count: int = 8
) -> list[str]:
    """Replace the user's recovery codes with new ones; return them, to show once."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(count)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=passwords.hash(code)) for code in codes)
    session.commit()
    return codes


def use_recovery_code(session: Session, passwords: Passwords, user: User, code: str) -> bool:
    """Cross out a matching unused recovery code; return whether there was one."""
    unused = session.scalars(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .with_for_update()  # two logins with the same code: the second waits, then sees it used
    )
    for recovery in unused:
        if passwords.verify(recovery.code_hash, code.strip().lower()):
            recovery.used_at = utc_now()
            session.commit()
            return True
    session.commit()
    return False
