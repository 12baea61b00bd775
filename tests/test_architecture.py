"""The house as built (docs/architecture.md): rooms import only downwards, stages/ is pure, there
is no import circle, and no module grows into a god module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

SRC = REPO / "src"
PACKAGE = SRC / "counterspell"
# Rooms from the bottom up: a module may import its own room and the rooms below it.
LAYERS: list[set[str]] = [
    {
        "errors",
        "models",
        "registry",
        "textutil",
        "privacy",
        "measures",
        "csvsafe",
        "textio",
        "config",
        "version",
    },
    {"adapters", "executors", "lake"},
    {"ingest", "stages", "matching", "testing"},
    {"pipeline", "synth", "rules"},
    {"evaluation", "store", "exchanges"},
    {"reports", "web"},
    {"cli", "__main__", ""},
]
LEVEL = {room: i for i, rooms in enumerate(LAYERS) for room in rooms}
MAX_LINES = 450


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, at module level?) for every ``counterspell`` import of a file."""
    mod = _module(path)
    base = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    out: list[tuple[str, bool]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("counterspell"):
                names = [f"{target}.{a.name}" for a in node.names]
                # "from . import actors" imports a module; "from .x import y" imports from x
                for name in names:
                    out.append((name if _is_module(name) else target, id(node) in top))
        elif isinstance(node, ast.Import):
            out.extend(
                (a.name, id(node) in top) for a in node.names if a.name.startswith("counterspell")
            )
    return out


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel / "__init__.py").exists()


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_stages_are_pure() -> None:
    """stages/ works on batches only: no lake, executor, store, web or job imports (even local)."""
    forbidden = {"lake", "executors", "store", "web", "pipeline", "evaluation", "reports", "cli",
                 "ingest", "matching", "synth"}  # fmt: skip
    for path in (PACKAGE / "stages").glob("*.py"):
        for target, _ in _imports(path):
            assert _room(target) not in forbidden, f"{_module(path)} imports {target}"


def test_rooms_import_only_downwards() -> None:
    for path in _files():
        mod = _module(path)
        here = LEVEL.get(_room(mod))
        assert here is not None, f"{mod} is in a room docs/architecture.md does not name"
        for target, _ in _imports(path):
            there = LEVEL.get(_room(target))
            assert there is not None and there <= here, f"{mod} (level {here}) imports {target}"


def test_no_import_circle() -> None:
    graph: dict[str, set[str]] = {}
    for path in _files():
        mod = _module(path)
        graph[mod] = {t for t, top in _imports(path) if top and t != mod}
    seen: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                raise AssertionError(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            if nxt not in seen:
                visit(nxt, [*stack, nxt])
        seen[node] = 2

    for mod in sorted(graph):
        if mod not in seen:
            visit(mod, [mod])


def test_no_god_modules() -> None:
    too_long = {
        _module(p): n
        for p in _files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_the_catalogue_agrees_with_the_stages() -> None:
    from counterspell.lake.datasets import CATALOGUE, ROLE_NAMES
    from counterspell.stages.roles import ROLES

    assert ROLE_NAMES == ROLES
    for name, ds in CATALOGUE.items():
        assert ds.name == name and len(ds.schema) > 0


def test_public_names_stay_importable() -> None:
    import counterspell

    for name in counterspell.__all__:
        assert getattr(counterspell, name) is not None, name


def test_every_csv_is_written_through_csvsafe() -> None:
    """Formula injection: a CSV writer that skips the neutralising wrapper is a defect."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "csvsafe.py"
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_cli_starts_without_the_store_or_the_service() -> None:
    """Every ``counterspell`` command pays for what the CLI imports before it runs: the store
    (SQLAlchemy, Alembic) and the service (FastAPI) are imported by the commands that use them,
    not at start-up (about 0.8 s of CPU per command, and the test suite runs hundreds)."""
    import subprocess
    import sys

    heavy = ("sqlalchemy", "alembic", "fastapi")
    code = f"import sys, counterspell.cli.main; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "[]", done.stdout
