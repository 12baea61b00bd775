"""The service tests share the store's fixtures (an analysed lake, a store per backend), and a
copy of that lake a test may change."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from counterspell.lake.workspace import Workspace
from counterspell.store import queue
from counterspell.store.db import Store, make_engine, upgrade
from tests.store.conftest import *  # noqa: F403
from tests.store.conftest import make_users


@pytest.fixture
def own_lake(lake: Workspace, tmp_path: Path) -> Iterator[Store]:
    """A copy of the shared lake that a test may change, with its own synced store."""
    shutil.copytree(lake.root, tmp_path / "ws", symlinks=True)
    ws = Workspace.open(tmp_path / "ws")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(make_engine(url), ws=ws)
    store = Store(ws, url)
    make_users(store)
    queue.sync(store)
    yield store
    store.close()
