"""Adapters, signal types and executors from other packages, through entry points: a package
installed beside Counterspell is found, registered like a built-in, and used by the commands."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN = '''
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from counterspell.adapters.base import Adapter, Item, ReadContext
from counterspell.executors import ExecutorKind, LocalExecutor
from counterspell.matching.signals import Hits, MatchContext, SignalType
from counterspell.models import Post, make_uid


class FakeAdapter(Adapter):
    """One post per line of a file that starts with FAKE."""

    name = "fakefmt"
    platform = "fakeboard"
    description = "a test format"

    @classmethod
    def sniff(cls, head: str, path: str) -> int:
        return 100 if head.startswith("FAKE") else 0

    def read(self, path: str, ctx: ReadContext) -> Iterator[Item]:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f.read().splitlines()[1:], start=1):
                yield Post(uid=make_uid("fakeboard", "main", str(n)), platform="fakeboard",
                           community="main", thread_id="main", post_id=str(n),
                           created_at=datetime(2026, 1, 1, tzinfo=UTC), text=line,
                           source=ctx.source(path, n))


class TLSHSignal(SignalType):
    name = "tlsh_test"

    @classmethod
    def validate(cls, value: str) -> str:
        return value.upper()

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return 0.0 if a == b else 1.0

    @classmethod
    def find(cls, ctx: MatchContext) -> Hits:
        return Hits.empty()


THREADS = ExecutorKind(LocalExecutor, frozenset({"workers"}), "a test executor")
'''


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "cs_fake_plugin").mkdir(parents=True)
    (site / "cs_fake_plugin" / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    dist = site / "cs_fake_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cs-fake-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [counterspell.adapters]
            fakefmt = cs_fake_plugin:FakeAdapter

            [counterspell.signals]
            tlsh_test = cs_fake_plugin:TLSHSignal

            [counterspell.executors]
            threads_test = cs_fake_plugin:THREADS
            """
        )
    )
    return site


def _run(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_plugins_register_like_built_ins(plugin_path: Path, tmp_path: Path) -> None:
    code = (
        "from counterspell.adapters import ADAPTERS; from counterspell.matching.signals import SIGNALS;"
        "from counterspell.executors import EXECUTORS;"
        "print(ADAPTERS.names(), SIGNALS.names(), EXECUTORS.names())"
    )
    out = _run(plugin_path, "-c", code, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "fakefmt" in out.stdout and "tlsh_test" in out.stdout and "threads_test" in out.stdout


def test_a_plugin_adapter_ingests_its_format(plugin_path: Path, tmp_path: Path) -> None:
    (tmp_path / "export.fake").write_text("FAKE v1\nfirst post\nsecond post\n", encoding="utf-8")
    ws = tmp_path / "ws"
    assert _run(plugin_path, "-m", "counterspell", "init", str(ws), cwd=tmp_path).returncode == 0
    out = _run(plugin_path, "-m", "counterspell", "-w", str(ws), "ingest",
               str(tmp_path / "export.fake"), cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    posts = _run(plugin_path, "-m", "counterspell", "-w", str(ws), "export", "posts", cwd=tmp_path)
    assert posts.stdout.count('"platform":"fakeboard"') == 2, posts.stdout[:300]


def test_a_broken_plugin_is_named(plugin_path: Path, tmp_path: Path) -> None:
    entry = plugin_path / "cs_fake_plugin-0.1.dist-info" / "entry_points.txt"
    entry.write_text("[counterspell.adapters]\nbroken = cs_fake_plugin:NoSuchThing\n")
    out = _run(plugin_path, "-c", "from counterspell.adapters import ADAPTERS; ADAPTERS.names()",
               cwd=tmp_path)  # fmt: skip
    assert out.returncode != 0 and "adapter plugin 'broken'" in out.stderr


def test_a_plugin_cannot_replace_a_built_in(plugin_path: Path, tmp_path: Path) -> None:
    entry = plugin_path / "cs_fake_plugin-0.1.dist-info" / "entry_points.txt"
    entry.write_text("[counterspell.adapters]\n4chan = cs_fake_plugin:FakeAdapter\n")
    out = _run(plugin_path, "-c", "from counterspell.adapters import ADAPTERS; ADAPTERS.names()",
               cwd=tmp_path)  # fmt: skip
    assert out.returncode != 0 and "already registered" in out.stderr


def test_executor_options_are_checked() -> None:
    from counterspell.errors import CounterspellError
    from counterspell.executors import get_executor

    with pytest.raises(CounterspellError, match="--scheduler does not apply to --executor local"):
        get_executor("local", workers=2, scheduler="tcp://example.com:8786")
    ex = get_executor("local", workers=1, scheduler=None)
    assert ex.name == "local"
    ex.close()
