"""Documentation that cannot drift: every command is in the README, every field in the record doc."""

from __future__ import annotations

import re

import typer.main

from counterspell.cli.main import app
from counterspell.models import MEDIA_TYPE, POST_SCHEMA
from tests.conftest import REPO


def _command_paths() -> list[str]:
    group = typer.main.get_command(app)
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            if getattr(sub, "commands", None):
                walk(sub, f"{prefix} {name}")
            else:
                paths.append(f"{prefix} {name}".strip())

    walk(group, "")
    return paths


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in _command_paths():
        assert f"counterspell {path}" in readme, f"README does not document 'counterspell {path}'"


def test_readme_starts_with_the_two_commands() -> None:
    head = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:10])
    assert "make demo" in head and "make test" in head


def test_every_post_field_is_documented() -> None:
    doc = (REPO / "docs" / "post-record.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)`", doc, flags=re.M))
    for f in POST_SCHEMA:
        assert f.name in documented, f"docs/post-record.md lacks the field {f.name}"
    for f in MEDIA_TYPE:
        assert f.name in documented or f"`{f.name}`" in doc, (
            f"docs/post-record.md lacks media.{f.name}"
        )


def test_every_adapter_is_in_the_readme_format_table() -> None:
    from counterspell.adapters import ADAPTERS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ADAPTERS.names():
        assert f"| `{name}` |" in readme, f"README's format table lacks {name}"
