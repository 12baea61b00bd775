"""Accounts: users with one role each, password login with lockout, sessions and API tokens.

Passwords are hashed with Argon2id. Session cookies and API tokens are random; the store keeps only
their SHA-256, so a copy of the database lets nobody log in.

Guessing is slowed twice. One client may try only ``CLIENT_LIMIT`` times in ``CLIENT_WINDOW``
whatever the names it guesses. And after ``LOCK_AFTER`` failed logins an account waits before the
next try counts: 2 seconds, doubling with each further failure up to ``MAX_DELAY`` (a growing
delay rather than a hard lock, so that an attacker's few requests an hour cannot keep the owner
out for good). Every refusal reads the same, "wrong user name or password" (401), whether the
name is unknown, the password wrong or the account waiting, so nothing tells which names exist.
Failures are counted under a row lock, so concurrent guesses cannot slip past the count.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, or_, select, update

from ..errors import Conflict, CounterspellError, NotFound
from . import audit
from .schema import ROLES, api_tokens, login_attempts, new_id, sessions, users

LOCK_AFTER = 5
MAX_DELAY = timedelta(minutes=5)
CLIENT_LIMIT = 20
CLIENT_WINDOW = timedelta(minutes=5)
SESSION_TTL = timedelta(hours=12)
TOKEN_TTL = timedelta(days=90)  # API tokens for scripts; renew with `user token`
MIN_PASSWORD = 12
MIN_STRENGTH = (
    3  # zxcvbn's score, 0-4: 3 is "safely unguessable: moderate protection from offline attacks"
)
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """A hash to verify against when there is no account, so a wrong name costs as long as a
    wrong password. Made on first use, not at import: hashing takes ~0.4 s by design, and every
    command and test process imports this module."""
    return _hasher.hash("not a password of anyone")


def check_password(password: str, name: str = "") -> None:
    """Long enough, and not guessable: length alone let ``aaaaaaaaaaaa`` through.

    Strength is zxcvbn's estimate (Dropbox's pattern-based estimator, the one NIST SP 800-63B's
    "check against commonly used values" is usually met with; https://pypi.org/project/zxcvbn/,
    read 2026-12-01), told the user's name so that a password built from it scores low.
    """
    if len(password) < MIN_PASSWORD:
        raise CounterspellError(f"the password must have at least {MIN_PASSWORD} characters")
    from zxcvbn import zxcvbn

    # zxcvbn refuses more than 72 characters (a ValueError, a 500 from the API): judge the start
    result = zxcvbn(password[:72], user_inputs=[name] if name else [])
    if int(result["score"]) < MIN_STRENGTH:
        hint = result["feedback"].get("warning") or "it follows a common pattern"
        raise CounterspellError(
            f"the password is too easy to guess ({hint.rstrip('.').lower()}); "
            "use a few unrelated words or a password manager"
        )


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this user's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def add_user(conn: Connection, name: str, role: str, password: str, actor: str = "cli") -> User:
    if not _NAME.match(name):
        raise CounterspellError(f"user name {name!r}: use 1-64 letters, digits and . _ @ - only")
    if role not in ROLES:
        raise CounterspellError(f"role {role!r} is not one of {', '.join(ROLES)}")
    check_password(password, name)
    if conn.execute(select(users.c.id).where(users.c.name == name)).first():
        raise Conflict(f"user {name!r} exists already")
    uid = new_id(
        conn.execute(
            users.insert().values(
                name=name,
                role=role,
                password_hash=_hasher.hash(password),
                created_at=datetime.now(UTC),
                disabled=False,
                failed_logins=0,
            )
        )
    )
    audit.record(conn, actor, "user.add", "user", name, {"role": role})
    return User(int(uid), name, role)


def list_users(conn: Connection) -> list[dict[str, object]]:
    rows = conn.execute(
        select(
            users.c.id, users.c.name, users.c.role, users.c.disabled, users.c.locked_until
        ).order_by(users.c.name)
    ).mappings()
    return [dict(r) for r in rows]


def set_password(conn: Connection, name: str, password: str, actor: str = "cli") -> None:
    check_password(password, name)
    n = conn.execute(
        update(users)
        .where(users.c.name == name)
        .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
    ).rowcount
    if not n:
        raise NotFound(f"no user {name!r}")
    conn.execute(
        delete(sessions).where(
            sessions.c.user_id == select(users.c.id).where(users.c.name == name).scalar_subquery()
        )
    )
    revoke_tokens(conn, name, actor=actor)  # a new password is often a response to a leak
    audit.record(conn, actor, "user.password", "user", name)


class LoginRefused(Exception):
    """Login failed; ``status`` is 401 (unknown name, wrong password or an account waiting
    after failures: alike) or 429 (this client tried too often)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def login_delay(fails: int) -> timedelta:
    """How long an account waits after its ``fails``-th failed login in a row."""
    seconds = 2.0 ** min(fails - LOCK_AFTER + 1, 20)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def login(conn: Connection, name: str, password: str, client: str) -> tuple[User, str, str]:
    """Check a password; returns the user, a new session cookie value and its CSRF token."""
    now = datetime.now(UTC)
    recent = conn.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(
            login_attempts.c.client == client,
            login_attempts.c.at > now - CLIENT_WINDOW,
            ~login_attempts.c.ok,
        )
    ).scalar_one()
    if recent >= CLIENT_LIMIT:
        raise LoginRefused("too many login attempts from here; wait a few minutes", 429)
    row = (
        conn.execute(select(users).where(users.c.name == name[:64]).with_for_update())
        .mappings()
        .first()
    )
    if row is None:
        with contextlib.suppress(VerificationError):  # same time as a real check: no name probing
            _hasher.verify(_dummy(), password)
        _attempt(conn, now, client, name, ok=False)
        audit.record(conn, name[:64], "login.failed", "user", name[:64], {"client": client})
        raise LoginRefused("wrong user name or password", 401)
    if row["locked_until"] is not None and row["locked_until"] > now:
        # waiting: not checked, not counted, and answered like any wrong password
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy(), password)
        _attempt(conn, now, client, name, ok=False)
        audit.record(conn, name, "login.delayed", "user", name, {"client": client})
        raise LoginRefused("wrong user name or password", 401)
    try:
        _hasher.verify(row["password_hash"], password)
        ok = not row["disabled"]
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        fails = row["failed_logins"] + 1
        locked = now + login_delay(fails) if fails >= LOCK_AFTER else None
        conn.execute(
            update(users)
            .where(users.c.id == row["id"])
            .values(failed_logins=fails, locked_until=locked)
        )
        _attempt(conn, now, client, name, ok=False)
        audit.record(
            conn, name, "login.failed", "user", name, {"client": client, "locked": bool(locked)}
        )
        raise LoginRefused("wrong user name or password", 401)
    if _hasher.check_needs_rehash(row["password_hash"]):
        conn.execute(
            update(users)
            .where(users.c.id == row["id"])
            .values(password_hash=_hasher.hash(password))
        )
    conn.execute(
        update(users).where(users.c.id == row["id"]).values(failed_logins=0, locked_until=None)
    )
    _attempt(conn, now, client, name, ok=True)
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(
        sessions.insert().values(
            id=_digest(cookie),
            user_id=row["id"],
            csrf=csrf,
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    audit.record(conn, name, "login", "user", name, {"client": client})
    return User(row["id"], row["name"], row["role"]), cookie, csrf


def _attempt(conn: Connection, at: datetime, client: str, name: str, ok: bool) -> None:
    conn.execute(
        login_attempts.insert().values(at=at, client=client[:64], username=name[:64], ok=ok)
    )


def session_user(conn: Connection, cookie: str) -> tuple[User, str] | None:
    """The user and CSRF token of a live session cookie."""
    row = conn.execute(
        select(
            users.c.id,
            users.c.name,
            users.c.role,
            users.c.disabled,
            sessions.c.csrf,
            sessions.c.expires_at,
        )
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.id == _digest(cookie))
    ).first()
    if row is None or row.disabled or row.expires_at <= datetime.now(UTC):
        return None
    return User(row.id, row.name, row.role), row.csrf


def logout(conn: Connection, cookie: str, user: User) -> None:
    conn.execute(delete(sessions).where(sessions.c.id == _digest(cookie)))
    audit.record(conn, user.name, "logout", "user", user.name)


def create_token(
    conn: Connection,
    name: str,
    token_name: str,
    actor: str = "cli",
    lifetime: timedelta = TOKEN_TTL,
) -> str:
    """A new API token for ``name``, valid for ``lifetime``; shown once, stored as its digest."""
    uid = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
    if uid is None:
        raise NotFound(f"no user {name!r}")
    if lifetime <= timedelta(0):
        raise CounterspellError("a token's lifetime must be at least a day")
    token = "cs_" + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    conn.execute(
        api_tokens.insert().values(
            user_id=uid, name=token_name, token_hash=_digest(token), created_at=now,
            expires_at=now + lifetime,
        )
    )  # fmt: skip
    audit.record(
        conn, actor, "token.create", "user", name,
        {"token": token_name, "expires_at": (now + lifetime).isoformat()},
    )  # fmt: skip
    return token


def revoke_tokens(
    conn: Connection, name: str, token_name: str | None = None, actor: str = "cli"
) -> int:
    """Revoke a user's live tokens (those called ``token_name``, or all); returns how many."""
    uid = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
    if uid is None:
        raise NotFound(f"no user {name!r}")
    q = update(api_tokens).where(api_tokens.c.user_id == uid, api_tokens.c.revoked_at.is_(None))
    if token_name is not None:
        q = q.where(api_tokens.c.name == token_name)
    n = int(conn.execute(q.values(revoked_at=datetime.now(UTC))).rowcount or 0)
    if n:
        audit.record(conn, actor, "token.revoke", "user", name, {"token": token_name, "count": n})
    return n


def set_disabled(conn: Connection, name: str, disabled: bool, actor: str = "cli") -> None:
    """Disable an account (its sessions end, its tokens are revoked) or enable it again."""
    uid = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
    if uid is None:
        raise NotFound(f"no user {name!r}")
    conn.execute(update(users).where(users.c.id == uid).values(disabled=disabled))
    if disabled:
        conn.execute(delete(sessions).where(sessions.c.user_id == uid))
        revoke_tokens(conn, name, actor=actor)
    audit.record(conn, actor, "user.disable" if disabled else "user.enable", "user", name)


# A token's ``last_used_at`` says whether it is still in use, to the minute: writing it on every
# request made each API call a write transaction (on SQLite, one writer at a time, and a sync).
LAST_USED_EVERY = timedelta(minutes=1)


def token_user(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(
            users.c.id,
            users.c.name,
            users.c.role,
            users.c.disabled,
            api_tokens.c.id.label("tid"),
            api_tokens.c.last_used_at,
        )
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == _digest(token),
            api_tokens.c.revoked_at.is_(None),
            or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > datetime.now(UTC)),
        )
    ).first()
    if row is None or row.disabled:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.tid).values(last_used_at=now))
    return User(row.id, row.name, row.role)
