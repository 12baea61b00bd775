from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from counterspell.adapters import ReadContext, detect
from counterspell.lake.workspace import Workspace
from counterspell.models import Post
from counterspell.textio import Problem

REPO = Path(__file__).resolve().parents[1]
# The recorded real exports live beside the repository (../shared), never inside it.
REAL = Path(
    os.environ.get("COUNTERSPELL_REAL_FIXTURES", REPO.parent / "shared" / "fixtures" / "real")
)


def real(rel: str) -> Path:
    """A recorded real fixture; the test skips where ../shared is absent (never in CI)."""
    path = REAL / rel
    if not path.exists():
        if os.environ.get("CI") == "true":
            raise AssertionError(f"{path} is missing in CI")
        pytest.skip(f"{path} not present (../shared/fixtures/real is outside the repository)")
    return path


def read_all(
    path: Path | str, ctx: ReadContext | None = None, fmt: type | None = None
) -> tuple[list[Post], list[object]]:
    """Posts and everything else (problems, notices) an adapter yields for a file."""
    cls = fmt or detect(str(path))
    posts: list[Post] = []
    other: list[object] = []
    for item in cls().read(str(path), ctx or ReadContext()):
        (posts if isinstance(item, Post) else other).append(item)
    return posts, other


def problems(items: list[object]) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def analysed_lake(root: Path) -> Workspace:
    """The workspace ``root/ws`` with the synthetic corpus in ``root/corpus`` ingested, its
    communities imported, its media hashed and its posts analysed (graph stages included)."""
    from counterspell.ingest import ingest
    from counterspell.pipeline.analyze import analyze
    from counterspell.pipeline.bridges import import_communities
    from counterspell.pipeline.hash_media import hash_media

    ws = Workspace.init(root / "ws")
    ingest(ws, [str(root / "corpus")])
    import_communities(ws, root / "corpus" / "communities.csv")
    hash_media(ws)
    analyze(ws, workers=1)
    return ws


def pytest_configure(config: pytest.Config) -> None:
    from tests.clizygote import cheap_password_hashes

    cheap_password_hashes()  # in every pytest process; the production cost is tested apart


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real ``counterspell`` command as a process of its own, as a user would (forked
    from a parent that imported it once: see tests/clizygote.py)."""
    from tests.clizygote import run_cli

    def run(
        *args: str, check: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
        proc = run_cli(*args, env=full_env, cwd=tmp_path)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"counterspell {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    return run


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.clizygote import ZYGOTE

    ZYGOTE.close()
    _write_durations()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright; skips where either is absent (never in CI)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("playwright is not installed")
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            raise AssertionError(f"{CHROMIUM} is missing in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3 endpoint for lakes at ``s3://`` URLs, in this process's environment (which Dask
    workers started later inherit): ``$COUNTERSPELL_TEST_S3`` (a real store, with AWS_* set by
    whoever runs the tests), or moto's S3 server on loopback. Yields a fresh bucket's URL."""
    import uuid

    given = os.environ.get("COUNTERSPELL_TEST_S3")
    if given:
        yield given.rstrip("/") + f"/test-{uuid.uuid4().hex[:8]}"
        return
    try:
        import boto3
        import s3fs  # noqa: F401
        from moto.server import ThreadedMotoServer
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("s3fs and moto[server] are not installed (pip install -e '.[dev]')")
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "counterspell-test",
        "AWS_SECRET_ACCESS_KEY": "counterspell-test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        bucket = f"counterspell-test-{uuid.uuid4().hex[:8]}"
        boto3.client("s3").create_bucket(Bucket=bucket)
        yield f"s3://{bucket}"
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# Kinds of test `make test-fast` leaves out (CI and `make test` run them all). Marked here from
# what a test uses, so a new browser or S3 test is marked without anyone remembering to.
_KIND_BY_FIXTURE = {"browser": "browser", "s3_endpoint": "s3"}
_KIND_BY_FILE = {"test_api_fuzz.py": "fuzz", "test_browser.py": "browser"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        kinds = {kind for fixture, kind in _KIND_BY_FIXTURE.items() if fixture in names}
        kinds |= {kind for file, kind in _KIND_BY_FILE.items() if item.path.name == file}
        if "kill" in item.name:  # SIGKILL and crash-recovery tests start and kill processes
            kinds.add("kill")
        for kind in sorted(kinds):
            item.add_marker(kind)
    # Modules by their measured time, longest first (longest-processing-time scheduling):
    # pytest-xdist hands out whole modules in collection order (`make test` passes
    # --no-loadscope-reorder, or xdist would order them by their number of tests), and a long
    # module started last keeps one worker busy while the other waits. A module not measured yet
    # counts as heavy when it has slow, S3, kill or browser tests.
    costs = _module_costs()
    heavy = {
        item.path
        for item in items
        if any(item.get_closest_marker(m) for m in ("slow", "s3", "kill", "browser"))
    }

    def cost(item: pytest.Item) -> float:
        rel = item.path.relative_to(REPO).as_posix()
        return costs.get(rel, _HEAVY_UNMEASURED if item.path in heavy else 0.0)

    items.sort(key=lambda item: -cost(item))  # stable: the order within a module is kept


DURATIONS = REPO / "tests" / "durations.json"
_HEAVY_UNMEASURED = 30.0  # seconds assumed for a heavy module until `make test-durations` runs


def _module_costs() -> dict[str, float]:
    try:
        data = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


_recorded: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With $COUNTERSPELL_TEST_DURATIONS set, sum each module's setup, call and teardown time
    (in the xdist controller every worker's reports arrive here)."""
    if os.environ.get("COUNTERSPELL_TEST_DURATIONS"):
        module = report.nodeid.split("::", 1)[0]
        _recorded[module] = _recorded.get(module, 0.0) + report.duration


def _write_durations() -> None:
    target = os.environ.get("COUNTERSPELL_TEST_DURATIONS")
    if not target or not _recorded or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    ranked = sorted(_recorded.items(), key=lambda kv: -kv[1])
    data = {k: round(v, 1) for k, v in ranked if v >= 1.0}
    Path(target).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
