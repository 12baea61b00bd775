"""Fixtures for the store and the service: one analysed lake, and a fresh store per test on
SQLite and on PostgreSQL (a schema of its own in the ``test`` database, dropped afterwards)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from counterspell.lake.workspace import Workspace
from counterspell.store.accounts import User, add_user
from counterspell.store.db import Store, make_engine, upgrade
from counterspell.synth import generate
from tests.conftest import analysed_lake

PG_URL = os.environ.get("COUNTERSPELL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "reviewer", "analyst", "admin")
HOSTILE = (
    "can someone nude her for me? make her lewd pls <script>window.__xss = 1</script>"
    '<img src=x onerror="window.__xss = 2"> she is my coworker'
)


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A small analysed lake: the synthetic boards plus one post whose text is hostile HTML."""
    root = tmp_path_factory.mktemp("lake")
    generate(root / "corpus", posts=900, seed=7)
    hostile = root / "corpus" / "hostile.jsonl"
    hostile.write_bytes(
        orjson.dumps({"community": "hostile", "post_id": "1", "thread_id": "1", "created_at": 1_767_225_600,
                      "author": "anon", "text": HOSTILE}) + b"\n"
    )  # fmt: skip
    return analysed_lake(root)


def _postgres_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(
            re.sub(r"^postgresql\+psycopg", "postgresql", PG_URL), connect_timeout=3
        ).close()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"PostgreSQL at {PG_URL} is required in CI: {exc}") from exc
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    _postgres_or_skip()
    schema = "cs_test_" + secrets.token_hex(6)
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def store(lake: Workspace, db_url: str) -> Iterator[Store]:
    upgrade(make_engine(db_url), ws=lake)
    s = Store(lake, db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(lake: Workspace, tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(make_engine(url), ws=lake)
    s = Store(lake, url)
    yield s
    s.close()


def make_users(store: Store) -> dict[str, User]:
    """One user per role, named after it."""
    out = {}
    with store.begin() as conn:
        for role in ROLES:
            out[role] = add_user(conn, role, role, PASSWORD)
    return out
