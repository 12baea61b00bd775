"""schemathesis against the OpenAPI description: no input an admin's token can send makes a 5xx.

Operations are driven one by one with Hypothesis (schemathesis's pytest plugin does not load
under the pytest used here); every operation's failures are collected and reported together.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from counterspell.store import queue
from counterspell.store.accounts import create_token
from counterspell.store.db import Store
from counterspell.web.app import create_app

from .conftest import make_users

EXAMPLES = 15


def test_api_never_fails_with_a_server_error(sqlite_store: Store) -> None:
    make_users(sqlite_store)
    queue.sync(sqlite_store)
    with sqlite_store.begin() as conn:
        token = create_token(conn, "admin", "fuzz")
    auth = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(sqlite_store), headers=auth)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"the API schema has an operation schemathesis cannot read: {result.err()}")
        op = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=auth, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:500]}")
    assert operations >= 20
    assert failures == []
