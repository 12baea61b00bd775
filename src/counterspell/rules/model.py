"""A rule: a name, a condition over the rule view, actions, and a state.

Rules are kept in the store (versioned; :mod:`counterspell.store.rules`) and travel as TOML, an
array of ``[[rule]]`` tables, so a team can keep its policy in git and review a change like code::

    [[rule]]
    name = "minor-target-request"
    condition = "role = 'request' AND minor_risk"
    actions = ["queue:9.5", "tag:minor", "escalate"]
    state = "shadow"

Actions (what a ``live`` rule does to each new hit; ``shadow`` rules only record hits):

- ``queue`` or ``queue:P`` puts the post in the review queue with priority P (0-10, default 7),
  the rule named as its reason; an item already there keeps the higher priority.
- ``tag:NAME`` adds a tag to the queue item (letters, digits, ``-`` and ``_``).
- ``escalate`` moves the item to the escalated list (never an item already decided).
- ``webhook:NAME`` posts the hit to the webhook NAME an admin configured (signed, retried).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CounterspellError
from .condition import Condition, parse

STATES = ("draft", "shadow", "live", "retired")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DEFAULT_PRIORITY = 7.0


class RuleError(CounterspellError):
    """A rule (or a rules file) that cannot be used as written."""


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # queue | tag | escalate | webhook
    value: str = ""

    @property
    def priority(self) -> float:
        return float(self.value) if self.kind == "queue" and self.value else DEFAULT_PRIORITY

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind


def parse_action(text: str) -> Action:
    kind, _, value = text.strip().partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if kind == "queue":
        if value:
            try:
                p = float(value)
            except ValueError:
                raise RuleError(f"action {text!r}: the priority must be a number 0-10") from None
            if not 0 <= p <= 10:
                raise RuleError(f"action {text!r}: the priority must be 0-10")
            value = f"{p:g}"
        return Action("queue", value)
    if kind == "escalate" and not value:
        return Action("escalate")
    if kind in ("tag", "webhook"):
        if not _TAG_RE.match(value):
            raise RuleError(
                f"action {text!r}: {kind}:NAME with letters, digits, '-' or '_' (at most 40)"
            )
        return Action(kind, value)
    raise RuleError(f"action {text!r}: use queue[:P], tag:NAME, escalate or webhook:NAME")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    condition: str
    actions: tuple[Action, ...] = ()
    state: str = "draft"
    description: str = ""
    version: int = 0  # 0: not stored yet
    compiled: Condition = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise RuleError(
                f"rule name {self.name!r}: lower-case letters, digits, '-' and '_' (at most 63)"
            )
        if self.state not in STATES:
            raise RuleError(
                f"rule {self.name}: state {self.state!r} is not one of {', '.join(STATES)}"
            )
        try:
            compiled = parse(self.condition)
        except CounterspellError as exc:
            raise RuleError(f"rule {self.name}: {exc}") from None
        object.__setattr__(self, "compiled", compiled)

    @classmethod
    def make(
        cls,
        name: str,
        condition: str,
        actions: list[str] | tuple[str, ...] = (),
        state: str = "draft",
        description: str = "",
        version: int = 0,
    ) -> Rule:
        try:
            acts = tuple(parse_action(a) for a in actions)
        except RuleError as exc:
            raise RuleError(f"rule {name}: {exc}") from None
        return cls(name, condition, acts, state, description, version)

    @property
    def action_strings(self) -> list[str]:
        return [str(a) for a in self.actions]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "condition": self.condition,
            "actions": self.action_strings,
            "state": self.state,
            "description": self.description,
            "version": self.version,
        }


_KEYS = {"name", "condition", "actions", "state", "description"}


def loads_toml(text: str, source: str = "<rules>") -> list[Rule]:
    """Rules from TOML text; an error names the file and the rule (by position and name)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{source}: not TOML: {exc}") from None
    extra = set(doc) - {"rule"}
    if extra:
        raise RuleError(
            f"{source}: unknown top-level key(s) {', '.join(sorted(extra))}; use [[rule]]"
        )
    tables = doc.get("rule", [])
    if not isinstance(tables, list):
        raise RuleError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, t in enumerate(tables, 1):
        where = f"{source}: rule {n}"
        if not isinstance(t, dict):
            raise RuleError(f"{where}: not a table")
        bad = set(t) - _KEYS
        if bad:
            raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        for key in ("name", "condition"):
            if not isinstance(t.get(key), str):
                raise RuleError(f"{where}: '{key}' is required (a string)")
        actions = t.get("actions", [])
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise RuleError(f"{where} ({t['name']}): 'actions' must be a list of strings")
        if t["name"] in seen:
            raise RuleError(f"{where}: the name {t['name']!r} is used twice")
        seen.add(t["name"])
        try:
            rules.append(
                Rule.make(
                    t["name"], t["condition"], actions, str(t.get("state", "draft")),
                    str(t.get("description", "")),
                )
            )  # fmt: skip
        except RuleError as exc:
            raise RuleError(f"{where}: {exc}") from None
    return rules


def load_toml(path: str | Path) -> list[Rule]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError(f"{p}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise RuleError(f"{p}: {exc.strerror or exc}") from None
    return loads_toml(text, str(p))


def _toml_str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    out = "".join(c if c >= " " or c in "\\" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def dumps_toml(rules: list[Rule]) -> str:
    """The TOML :func:`loads_toml` reads back (same rules, same order)."""
    blocks = []
    for r in rules:
        lines = ["[[rule]]", f"name = {_toml_str(r.name)}"]
        if r.description:
            lines.append(f"description = {_toml_str(r.description)}")
        lines.append(f"condition = {_toml_str(r.condition)}")
        lines.append("actions = [" + ", ".join(_toml_str(a) for a in r.action_strings) + "]")
        lines.append(f"state = {_toml_str(r.state)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# The starting policy: every built-in rule starts in shadow until an admin promotes it.
BUILTIN: tuple[Rule, ...] = (
    Rule.make(
        "request-minor-target",
        "role = 'request' AND minor_risk",
        ["queue:9.5", "tag:minor", "escalate"],
        "shadow",
        "A request naming a target who may be a minor.",
    ),
    Rule.make(
        "fulfillment-of-minor-request",
        "role = 'fulfillment' AND campaign_minor_risk",
        ["queue:10", "tag:minor", "escalate"],
        "shadow",
        "A fulfilment of a request that named a possible minor.",
    ),
    Rule.make(
        "link-to-media-destination",
        "len(links) > 0 AND links_to_media_destination",
        ["queue:7.5", "tag:distribution-route"],
        "shadow",
        "A post inviting to a community where the same community's media were seen: a route.",
    ),
    Rule.make(
        "prolific-creator",
        "role = 'fulfillment' AND author_fulfillments_7d >= 5",
        ["queue:8", "tag:prolific-creator"],
        "shadow",
        "A creator with five or more fulfilments in the past week.",
    ),
)

__all__ = [
    "BUILTIN",
    "STATES",
    "Action",
    "Rule",
    "RuleError",
    "dumps_toml",
    "load_toml",
    "loads_toml",
    "parse_action",
]
