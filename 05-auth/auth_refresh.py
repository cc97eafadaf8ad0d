"""Refresh tokens that rotate on every use, with reuse detection, kept in Redis.

A refresh token is `<family>.<secret>`: every token issued from one login shares a family.
Using a token marks it used and issues the next one of its family. Using a token that was
already used means two parties hold it (the client and a thief): nobody can tell which is
which, so the whole family is revoked and both must log in again (RFC 9700, section 4.14.2).
One Lua script checks and marks a token, so two concurrent uses cannot both succeed. Every
rotation renews the token's lifetime, so a family in use could live for ever: it carries the
time of its login, and ends `family_seconds` after it however busy it is (ASVS 5.0 V10.4.8).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import redis

# KEYS[1]: the token's hash; KEYS[2]: its family's revocation flag
# ARGV: the flag's TTL (the family's lifetime), now, the family's absolute lifetime (seconds)
ROTATE = """
local user = redis.call('HGET', KEYS[1], 'user')
if not user then return {'unknown', '', ''} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'revoked', user, ''} end
local born = redis.call('HGET', KEYS[1], 'born') or '0'  -- none recorded: ended
if tonumber(ARGV[2]) >= tonumber(born) + tonumber(ARGV[3]) then
  return {'expired', user, born}
end
if redis.call('HGET', KEYS[1], 'used') == '1' then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
  return {'reused', user, born}
end
redis.call('HSET', KEYS[1], 'used', '1')
return {'ok', user, born}
"""


class Outcome(Enum):
    """What presenting a refresh token led to."""

    OK = "ok"
    UNKNOWN = "unknown"  # never issued, expired, or malformed
    REVOKED = "revoked"  # its family was revoked (logout, or an earlier reuse)
    REUSED = "reused"  # already used: the family is revoked now
    EXPIRED = "expired"  # its family reached its absolute lifetime: log in again


@dataclass(frozen=True)
class Rotation:
    """The outcome, the user it belongs to, and the next token when the outcome is OK."""

    outcome: Outcome
    user_id: str | None = None
    token: str | None = None


@dataclass
class RefreshTokens:
    """Issue, rotate and revoke refresh tokens in Redis under `prefix`."""

    client: redis.Redis
    prefix: str
    seconds: int  # one token's lifetime, renewed at each rotation
    family_seconds: int = 7 * 24 * 60 * 60  # the family's, counted from its login: never renewed
    clock: Callable[[], float] = field(default=time.time)  # tests move time by hand

    def _keys(self, token: str) -> tuple[str, str] | None:
        family, _, secret = token.partition(".")
        if not family or not secret or len(token) > 200:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()  # Redis never holds a usable token
        return f"{self.prefix}refresh:{digest}", f"{self.prefix}family:{family}:revoked"

    def _families_key(self, user_id: str) -> str:
        return f"{self.prefix}user-families:{user_id.partition(':')[0]}"

    def _decode(self, value: bytes | str) -> str:
        return value.decode() if isinstance(value, bytes) else value

    def issue(self, user_id: str, family: str | None = None, born: float | None = None) -> str:
        """Store and return a new refresh token; a new family unless one and its birth are given."""
        family = family or secrets.token_urlsafe(12)
        born = self.clock() if born is None else born
        token = f"{family}.{secrets.token_urlsafe(32)}"
        token_key, _ = self._keys(token)
        left = born + self.family_seconds - self.clock()  # Redis drops it at the family's end
        with self.client.pipeline() as pipe:
            pipe.hset(token_key, mapping={"user": user_id, "used": "0", "born": repr(born)})
            pipe.expire(token_key, max(1, min(self.seconds, math.ceil(left))))
            # the user's families, so a password change or reset can revoke them all
            pipe.sadd(self._families_key(user_id), family)
            pipe.expire(self._families_key(user_id), self.seconds)
            pipe.execute()
        return token

    def rotate(self, token: str) -> Rotation:
        """Use a refresh token: return the next one, or why there is none."""
        keys = self._keys(token)
        if keys is None:
            return Rotation(Outcome.UNKNOWN)
        args = self.family_seconds, repr(self.clock()), self.family_seconds
        status, user, born = self.client.eval(ROTATE, 2, *keys, *args)
        outcome, user_id = Outcome(self._decode(status)), self._decode(user) or None
        if outcome is not Outcome.OK:
            return Rotation(outcome, user_id)
        family = token.partition(".")[0]  # the next token keeps the family's birth
        return Rotation(outcome, user_id, self.issue(user_id, family, float(self._decode(born))))

    def revoke_family(self, token: str) -> None:
        """Revoke every token of this token's family (logout)."""
        keys = self._keys(token)
        if keys is not None:
            self.client.set(keys[1], "1", ex=self.family_seconds)

    def revoke_user(self, user_id: int) -> None:
        """Revoke every family of a user (password change, reset, log out everywhere)."""
        key = self._families_key(str(user_id))
        families = [self._decode(family) for family in self.client.smembers(key)]
        with self.client.pipeline() as pipe:
            for family in families:
                # until the family's end, not one token's: a token issued by a rotation in a
                # race with this revocation lives up to `seconds` from later, never past that
                pipe.set(f"{self.prefix}family:{family}:revoked", "1", ex=self.family_seconds)
            pipe.delete(key)
            pipe.execute()
