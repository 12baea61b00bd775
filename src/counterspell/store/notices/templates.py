"""Notice templates and the legal bases they cite, read from TOML data files.

The legal content lives in data (``data/laws.toml`` and one ``<jurisdiction>-<kind>.toml`` per
notice) so that counsel can review and correct it without reading code, and so that each fact
travels with its source and the date it was read. Everything is checked when read: a broken file
is an error naming the file and the field, never a notice with a hole in it. The one rule that
matters most is :func:`check_jurisdiction`: a notice may cite only the law of its own jurisdiction
(a UK notice that cited a US statute would be wrong in a way a reader may not catch).
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ...errors import CounterspellError
from ...stages.roles import ROLES

DATA = Path(__file__).parent / "data"
JURISDICTIONS = ("US", "UK", "EU", "AU")
KINDS = ("removal", "preservation", "generator")
LAW_KINDS = ("statute", "regulation", "guidance")
INCLUDES = ("content", "campaigns", "requesters")
# what a template's text may name (see build.placeholders)
PLACEHOLDERS = (
    "case_id", "platform", "date", "posts", "media", "campaigns", "first_seen", "last_seen",
    "sender", "requesters",
)  # fmt: skip


class TemplateError(CounterspellError):
    """A notice template or the law data is broken (the message names the file and the field)."""


@dataclass(frozen=True)
class Source:
    url: str
    checked: date
    what: str


@dataclass(frozen=True)
class Law:
    id: str
    jurisdiction: str
    kind: str
    citation: str
    summary: str
    in_force: str
    status: str  # "verified" or "unverified: why"
    sources: tuple[Source, ...]
    note: str = ""

    @property
    def verified(self) -> bool:
        return self.status == "verified"


@dataclass(frozen=True)
class Section:
    heading: str
    body: string.Template


@dataclass(frozen=True)
class NoticeTemplate:
    id: str
    jurisdiction: str
    kind: str
    title: str
    audience: str
    last_reviewed: date
    reviewed_by: str
    counsel_review: bool
    cites: tuple[str, ...]
    includes: tuple[str, ...]
    roles: tuple[str, ...]  # the posts a notice of this kind is about
    sections: tuple[Section, ...]
    path: Path = field(compare=False)


class _Reader:
    """Typed access to one TOML table, every complaint naming the file and the field."""

    def __init__(self, path: Path, table: dict[str, Any], where: str = "") -> None:
        self.path, self.table, self.where = path, table, where

    def fail(self, key: str, problem: str) -> TemplateError:
        place = f"{self.where}.{key}" if self.where else key
        return TemplateError(f"{self.path.name}: {place}: {problem}")

    def text(self, key: str, *, required: bool = True) -> str:
        v = self.table.get(key)
        if v is None and not required:
            return ""
        if not isinstance(v, str) or not v.strip():
            raise self.fail(key, "missing" if v is None else "must be non-empty text")
        return v.strip()

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        v = self.text(key)
        if v not in options:
            raise self.fail(key, f"{v!r} is not one of {', '.join(options)}")
        return v

    def day(self, key: str) -> date:
        v = self.table.get(key)
        if not isinstance(v, date):
            raise self.fail(key, "must be a date written as YYYY-MM-DD (no quotes)")
        return v

    def flag(self, key: str) -> bool:
        v = self.table.get(key)
        if not isinstance(v, bool):
            raise self.fail(key, "must be true or false")
        return v

    def names(self, key: str, options: tuple[str, ...] | None = None) -> tuple[str, ...]:
        v = self.table.get(key)
        if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
            raise self.fail(key, "must be a non-empty list of names")
        for x in v:
            if options is not None and x not in options:
                raise self.fail(key, f"{x!r} is not one of {', '.join(options)}")
        return tuple(v)

    def tables(self, key: str) -> list[_Reader]:
        v = self.table.get(key)
        if not isinstance(v, list) or not v or not all(isinstance(x, dict) for x in v):
            raise self.fail(key, f"needs at least one [[{key}]] table")
        where = f"{self.where}." if self.where else ""
        return [_Reader(self.path, x, f"{where}{key}[{i}]") for i, x in enumerate(v)]


def _parse(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:  # its message carries the line and column
        raise TemplateError(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise TemplateError(f"{path}: cannot be read ({exc.strerror})") from None


def load_laws(path: Path | None = None) -> dict[str, Law]:
    path = path or DATA / "laws.toml"
    out: dict[str, Law] = {}
    for r in _Reader(path, _parse(path)).tables("law"):
        status = r.text("status")
        if status != "verified" and not status.startswith("unverified: "):
            raise r.fail("status", "must be 'verified' or 'unverified: <the source relied on>'")
        sources = tuple(
            Source(s.text("url"), s.day("checked"), s.text("what")) for s in r.tables("source")
        )
        law = Law(
            id=r.text("id"), jurisdiction=r.choice("jurisdiction", JURISDICTIONS),
            kind=r.choice("kind", LAW_KINDS), citation=r.text("citation"),
            summary=" ".join(r.text("summary").split()), in_force=r.text("in_force"),
            status=status, sources=sources, note=" ".join(r.text("note", required=False).split()),
        )  # fmt: skip
        if law.id in out:
            raise r.fail("id", f"{law.id!r} is defined twice")
        out[law.id] = law
    return out


def _section(r: _Reader) -> Section:
    body = r.text("body")
    tpl = string.Template(body)
    if not tpl.is_valid():
        raise r.fail("body", "has a '$' that is not a placeholder (write $$ for a dollar sign)")
    unknown = sorted(set(tpl.get_identifiers()) - set(PLACEHOLDERS))
    if unknown:
        raise r.fail(
            "body",
            f"uses ${{{unknown[0]}}}, which is not one of the placeholders "
            f"({', '.join(PLACEHOLDERS)})",
        )
    return Section(r.text("heading"), tpl)


def load_template(path: Path, laws: dict[str, Law]) -> NoticeTemplate:
    r = _Reader(path, _parse(path))
    t = NoticeTemplate(
        id=r.text("id"), jurisdiction=r.choice("jurisdiction", JURISDICTIONS),
        kind=r.choice("kind", KINDS), title=r.text("title"), audience=r.text("audience"),
        last_reviewed=r.day("last_reviewed"), reviewed_by=r.text("reviewed_by"),
        counsel_review=r.flag("counsel_review"), cites=r.names("cites"),
        includes=r.names("includes", INCLUDES), roles=r.names("roles", ROLES), sections=tuple(_section(s) for s in r.tables("section")),
        path=path,
    )  # fmt: skip
    if path.stem != t.id:
        raise r.fail("id", f"{t.id!r} differs from the file's name ({path.stem})")
    for law_id in t.cites:
        if law_id not in laws:
            raise r.fail("cites", f"{law_id!r} is not in laws.toml")
    if not t.counsel_review and any(not laws[c].verified for c in t.cites):
        raise r.fail(
            "counsel_review", "must stay true while the template cites an unverified legal basis"
        )
    check_jurisdiction(t, laws)
    return t


def check_jurisdiction(template: NoticeTemplate, laws: dict[str, Law]) -> None:
    """Refuse a template that cites law from outside its jurisdiction."""
    for law_id in template.cites:
        law = laws.get(law_id)
        if law is None:
            raise TemplateError(
                f"{template.path.name}: cites {law_id!r}, which is not in laws.toml"
            )
        if law.jurisdiction != template.jurisdiction:
            raise TemplateError(
                f"{template.path.name}: a {template.jurisdiction} notice cannot cite {law.citation} "
                f"({law_id}), which is {law.jurisdiction} law"
            )


def load_templates(
    directory: Path | None = None,
) -> tuple[dict[str, NoticeTemplate], dict[str, Law]]:
    """Every template in ``directory`` (the package's own by default) and the laws they cite.

    A directory of one's own must hold its own ``laws.toml``: an organisation that adds or edits
    templates owns their legal basis too.
    """
    directory = directory or DATA
    if not directory.is_dir():
        raise TemplateError(f"{directory}: no such directory of notice templates")
    laws = load_laws(directory / "laws.toml")
    out: dict[str, NoticeTemplate] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == "laws.toml":
            continue
        t = load_template(path, laws)
        if any((o.jurisdiction, o.kind) == (t.jurisdiction, t.kind) for o in out.values()):
            raise TemplateError(
                f"{path.name}: a second {t.jurisdiction} {t.kind} template (one per jurisdiction and kind)"
            )
        out[t.id] = t
    return out, laws


def find(templates: dict[str, NoticeTemplate], jurisdiction: str, kind: str) -> NoticeTemplate:
    jurisdiction = jurisdiction.upper()
    for t in templates.values():
        if (t.jurisdiction, t.kind) == (jurisdiction, kind):
            return t
    have = ", ".join(f"{t.jurisdiction} {t.kind}" for t in templates.values())
    raise TemplateError(f"no {jurisdiction} {kind} notice template (there are: {have})")
