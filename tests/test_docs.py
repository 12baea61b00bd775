"""Documentation that cannot drift: every command is documented, every field in the record doc,
every link resolves."""

from __future__ import annotations

import re

import typer.main

from counterspell.cli.common import app
from counterspell.cli.main import main as _entry  # noqa: F401  (registers every command)
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


def _docs() -> str:
    """The README and every page under docs/ (what a user of the repository reads)."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def test_every_command_is_documented() -> None:
    docs = _docs()
    for path in _command_paths():
        assert f"### `counterspell {path}" in docs or f"`counterspell {path}" in docs, (
            f"neither the README nor docs/ document 'counterspell {path}'"
        )


def test_docs_never_send_users_outside_the_repository() -> None:
    """Users do not have ../shared: a page may name it only as where the project's own research
    data lives (training the shipped model, development tests), never as something to run."""
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text or page.name in (
            "detection.md",
            "development.md",
            "media.md",
        ), page.name


def test_every_relative_link_resolves() -> None:
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(
            r"\]\(([^)#:]+\.(?:md|png))(?:#[^)]*)?\)", page.read_text(encoding="utf-8")
        ):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


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

    doc = (REPO / "docs" / "ingest.md").read_text(encoding="utf-8")
    for name in ADAPTERS.names():
        assert f"| `{name}` |" in doc, f"docs/ingest.md's format table lacks {name}"


def test_every_test_the_security_page_names_exists() -> None:
    page = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    modules = {p.stem for p in (REPO / "tests").rglob("test_*.py")}
    named = set(re.findall(r"\b(test_[a-z0-9_]+)\b", page)) - modules
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("*.py"))
    defined = set(re.findall(r"def (test_[a-z0-9_]+)\(", sources))
    assert named and named <= defined, sorted(named - defined)


def test_every_rule_field_is_documented() -> None:
    from counterspell.rules.condition import FUNCTION_NAMES
    from counterspell.rules.fields import FIELDS

    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for f in FIELDS:
        assert f"| `{f.name}` | {f.kind} |" in page, f"docs/rules.md does not document {f.name}"
    for name in FUNCTION_NAMES:
        assert f"`{name}()`" in page, f"docs/rules.md does not name the function {name}()"
