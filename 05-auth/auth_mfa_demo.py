"""MFA and data at rest: a TOTP enrolment, codes checked once, recovery codes, key rotation.

Run it to see, in numbered steps: the provisioning URI an authenticator app scans (the
notebook draws it as a QR code), the TOTP secret stored encrypted, a code accepted once and
refused when replayed, a recovery code that works once, and the secrets re-encrypted under
a new key so the old one can be retired.
"""

from __future__ import annotations

import logging

import pyotp
import redis
from auth_config import load_auth_settings, run_main
from auth_crypto import decrypt, load_data_keys, rotate_totp_secrets
from auth_mfa import enrol, new_recovery_codes, use_recovery_code, verify_totp
from auth_passwords import Passwords, make_hasher
from auth_store import add_user, create_schema, make_engine
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the demo uses the development secret
    base = course.require("postgres", "redis")
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys = load_data_keys({"AUTH_DATA_KEYS": old_key})
    with temporary_postgres_database(base, prefix="auth_mfa") as url:
        engine = make_engine(url)
        create_schema(engine)
        settings = load_auth_settings(url, base.redis_url)
        passwords = Passwords(
            make_hasher(
                settings.with_changes(
                    argon2_memory_kib=19456, argon2_time_cost=2, argon2_parallelism=1
                )
            )
        )
        client = redis.Redis.from_url(base.redis_url)
        prefix = f"auth-demo-{Fernet.generate_key().hex()[:6]}:"
        with Session(engine) as session:
            user = add_user(session, "ada@example.com", "not used here")
            uri = enrol(user, keys)
            session.commit()
            print(f"1. Enrolment: the app scans {uri[:60]}...")
            print(f"   stored encrypted: {user.totp_secret[:40]}...")
            code = pyotp.parse_uri(uri).now()
            print(f"2. Code {code}: accepted {verify_totp(client, prefix, keys, user, code)}, "
                  f"replayed {verify_totp(client, prefix, keys, user, code)}")  # fmt: skip
            codes = new_recovery_codes(session, passwords, user, count=3)
            print(f"3. Recovery codes, shown once: {codes}")
            print(f"   {codes[0]} works: {use_recovery_code(session, passwords, user, codes[0])}, "
                  f"again: {use_recovery_code(session, passwords, user, codes[0])}")  # fmt: skip
            both = load_data_keys({"AUTH_DATA_KEYS": f"{new_key},{old_key}"})
            rotated = rotate_totp_secrets(session, both)
            new_only = load_data_keys({"AUTH_DATA_KEYS": new_key})
            readable = bool(decrypt(new_only, user.totp_secret))
            print(f"4. Rotation: {rotated} re-encrypted; the new key alone reads it: {readable}")
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        engine.dispose()
    print("Conclusion: a second factor used once, recovery codes hashed like passwords, and")
    print("secrets at rest encrypted under keys from the environment that you can rotate.")


if __name__ == "__main__":
    course.script_arguments()
    run_main(main)
