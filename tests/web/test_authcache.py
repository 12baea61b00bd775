"""The service's short memory of credentials: a revoked token, a disabled user or a changed
role takes effect within ``auth_recheck_ms`` (whoever changed it, from whichever process), a
logout at once, and nothing is remembered of a credential the store refused."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import update

from counterspell.store.accounts import create_token, revoke_tokens, set_disabled
from counterspell.store.db import Store
from counterspell.store.schema import users
from counterspell.web.app import create_app
from counterspell.web.authcache import AuthCache

from .conftest import PASSWORD, make_users

RECHECK_S = 0.3


def _bot(store: Store, recheck_s: float, token: str) -> TestClient:
    app = create_app(store)
    app.state.auth = AuthCache[object](recheck_s)
    return TestClient(
        app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"}
    )


def _token(store: Store, user: str, name: str = "bot") -> str:
    with store.begin() as conn:
        return create_token(conn, user, name)


def test_the_default_is_one_second(sqlite_store: Store) -> None:
    assert create_app(sqlite_store).state.auth.recheck_s == 1.0


def test_a_revoked_token_stops_within_the_recheck_time(sqlite_store: Store) -> None:
    make_users(sqlite_store)
    bot = _bot(sqlite_store, RECHECK_S, _token(sqlite_store, "reviewer"))
    assert bot.get("/api/me").status_code == 200
    with sqlite_store.begin() as conn:  # as `counterspell user revoke` does, in its own process
        assert revoke_tokens(conn, "reviewer", "bot") == 1
    time.sleep(RECHECK_S + 0.05)
    assert bot.get("/api/me").status_code == 401
    assert bot.get("/api/me").status_code == 401  # a refusal is not remembered as an admission


def test_without_the_cache_a_revoked_token_stops_at_once(sqlite_store: Store) -> None:
    make_users(sqlite_store)
    bot = _bot(sqlite_store, 0, _token(sqlite_store, "reviewer"))
    assert bot.get("/api/me").status_code == 200
    with sqlite_store.begin() as conn:
        revoke_tokens(conn, "reviewer", "bot")
    assert bot.get("/api/me").status_code == 401


def test_a_disabled_user_and_a_changed_role_take_effect_within_the_recheck_time(
    sqlite_store: Store,
) -> None:
    make_users(sqlite_store)
    analyst = _bot(sqlite_store, RECHECK_S, _token(sqlite_store, "analyst"))
    reviewer = _bot(sqlite_store, RECHECK_S, _token(sqlite_store, "reviewer"))
    assert analyst.get("/api/me").json()["role"] == "analyst"
    assert reviewer.get("/api/me").json()["role"] == "reviewer"
    with sqlite_store.begin() as conn:
        set_disabled(conn, "analyst", True)
        conn.execute(update(users).where(users.c.name == "reviewer").values(role="viewer"))
    time.sleep(RECHECK_S + 0.05)
    assert analyst.get("/api/me").status_code == 401
    assert reviewer.get("/api/me").json()["role"] == "viewer"
    assert reviewer.post("/api/queue/next").status_code == 403


def test_a_new_token_works_at_once_after_refusals(sqlite_store: Store) -> None:
    make_users(sqlite_store)
    app = create_app(sqlite_store)
    client = TestClient(app, base_url="https://testserver")
    for _ in range(3):
        assert (
            client.get("/api/me", headers={"Authorization": "Bearer cs_wrong"}).status_code == 401
        )
    token = _token(sqlite_store, "viewer")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert all(token not in k for k in app.state.auth._entries)  # keyed by a digest only


def test_a_logout_ends_the_session_at_once(sqlite_store: Store) -> None:
    make_users(sqlite_store)
    client = TestClient(create_app(sqlite_store), base_url="https://testserver",
                        follow_redirects=False)  # fmt: skip
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf": token})
    cookie = client.cookies.get("cs_session")
    assert r.status_code == 303 and cookie
    home = client.get("/")
    assert home.status_code == 200  # the session is now remembered
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    client.cookies.set("cs_session", cookie)  # a copy of the cookie kept by someone else
    assert client.get("/").status_code == 303  # back to the login form, not a second later
