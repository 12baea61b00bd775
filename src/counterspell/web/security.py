"""Who is asking, may they, and did they mean to: sessions, API tokens, roles and CSRF.

Browsers authenticate with a session cookie (HttpOnly, SameSite=Strict, Secure unless the operator
turned it off for plain-HTTP testing) and must echo the session's CSRF token on every unsafe
request (form field ``csrf`` or header ``X-CSRF-Token``; htmx sends the header). Machines send
``Authorization: Bearer <token>`` and need no CSRF token, since a browser never adds that header
by itself. The public removal-request form uses a double-submit cookie instead of a session.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..store.accounts import User, session_user, token_user
from ..store.db import Store
from ..store.schema import ROLES

if TYPE_CHECKING:
    from .authcache import AuthCache
    from .viewcache import LakeViews

SESSION_COOKIE = "cs_session"
PUBLIC_CSRF_COOKIE = "cs_form"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_bearer = HTTPBearer(auto_error=False, description="An API token from 'counterspell user token'.")


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    csrf: str | None  # None for token auth (no CSRF needed)
    via: str  # "session" | "token"


class LoginRequired(Exception):
    """Raised for a browser page without a session: the app redirects to /login."""


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def auth_of(request: Request) -> AuthCache[Any]:
    """The app's short memory of credentials (:mod:`counterspell.web.authcache`)."""
    known: AuthCache[Any] = request.app.state.auth
    return known


def views_of(request: Request) -> LakeViews:
    """The app's cache of lake reads (:mod:`counterspell.web.viewcache`)."""
    views: LakeViews = request.app.state.views
    return views


async def _form_csrf(request: Request) -> str:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf")
        return value if isinstance(value, str) else ""
    return ""


async def principal(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The caller, if authenticated; enforces CSRF on unsafe cookie-authenticated requests."""
    store = store_of(request)
    known = auth_of(request)
    if creds is not None:
        token = creds.credentials

        def ask_token() -> User | None:
            with store.begin() as conn:
                return token_user(conn, token)

        user = known.lookup("token", token, ask_token)
        if user is None:
            raise HTTPException(401, "invalid or revoked API token", {"WWW-Authenticate": "Bearer"})
        return Principal(user, None, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None

    def ask_session() -> tuple[User, str] | None:
        with store.engine.connect() as conn:
            return session_user(conn, cookie)

    found = known.lookup("session", cookie, ask_session)
    if found is None:
        return None
    user, csrf = found
    if request.method in UNSAFE:
        sent = request.headers.get("x-csrf-token") or await _form_csrf(request)
        if not sent or not same_secret(sent, csrf):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    return Principal(user, csrf, "session")


def require(role: str) -> Callable[..., object]:
    """A dependency admitting ``role`` and the roles above it."""
    assert role in ROLES

    async def dep(
        request: Request, who: Annotated[Principal | None, Depends(principal)]
    ) -> Principal:
        if who is None:
            if request.url.path.startswith("/api/") or request.method in UNSAFE:
                raise HTTPException(
                    401, "log in or send an API token", {"WWW-Authenticate": "Bearer"}
                )
            raise LoginRequired()
        if not who.user.can(role):
            raise HTTPException(
                403, f"this needs the {role} role or above; you are {who.user.role}"
            )
        request.state.principal = who
        return who

    dep.__name__ = f"require_{role}"
    dep.required_role = role  # type: ignore[attr-defined]
    return dep


def public_csrf(request: Request) -> str:
    """The double-submit token for forms shown before login (login, removal request)."""
    token = request.cookies.get(PUBLIC_CSRF_COOKIE)
    if token and len(token) >= 32:
        return token
    token = secrets.token_urlsafe(32)
    request.state.set_public_csrf = token
    return token


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison that also takes text no browser would send: compare_digest
    refuses non-ASCII str (a 500 before), so both sides are compared as UTF-8 bytes."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def check_public_csrf(request: Request, sent: str) -> None:
    cookie = request.cookies.get(PUBLIC_CSRF_COOKIE, "")
    if not cookie or not sent or not same_secret(cookie, sent):
        raise HTTPException(
            403, "the form expired or was sent from elsewhere; reload it and try again"
        )


Viewer = Annotated[Principal, Depends(require("viewer"))]
Reviewer = Annotated[Principal, Depends(require("reviewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Id = Annotated[
    int, Path(ge=1, le=2_147_483_647, description="A row id.")
]  # what every backend stores
