"""Reviewed labels: imported from CSV, stored in the lake, used by ``train`` and ``evaluate``.

CSV columns: ``platform``, ``post_id``, ``role``, ``flags`` (``;``-separated, may be empty) and
optionally ``community`` (needed where a post id is not unique within a platform).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from .. import csvsafe
from ..errors import CounterspellError
from ..lake.datasets import LABEL_SCHEMA
from ..lake.query import connect, posts_relation_sql
from ..lake.storage import LakePath
from ..lake.workspace import Workspace
from ..stages.roles import FLAGS, ROLES


@dataclass(frozen=True, slots=True)
class Label:
    platform: str
    community: str | None
    post_id: str
    role: str
    flags: tuple[str, ...]


def read_csv(path: str) -> list[Label]:
    """Parse and validate a label file; a bad row is an error naming its line."""
    try:
        f = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise CounterspellError(f"{path}: cannot read: {exc.strerror}") from None
    with f:
        reader = csv.DictReader(f)
        missing = {"platform", "post_id", "role"} - set(reader.fieldnames or [])
        if missing:
            raise CounterspellError(
                f"{path}: missing column(s) {', '.join(sorted(missing))}; need platform, post_id, role[, flags, community]"
            )
        out: list[Label] = []
        for line, row in enumerate(reader, start=2):
            role = (row.get("role") or "").strip()
            if role not in ROLES:
                raise CounterspellError(
                    f"{path}: line {line}: role {role!r} is not one of {', '.join(ROLES)}"
                )
            flags = tuple(x.strip() for x in (row.get("flags") or "").split(";") if x.strip())
            bad = [x for x in flags if x not in FLAGS]
            if bad:
                raise CounterspellError(
                    f"{path}: line {line}: unknown flag(s) {', '.join(bad)}; known: {', '.join(FLAGS)}"
                )
            platform, post_id = (
                (row.get("platform") or "").strip(),
                (row.get("post_id") or "").strip(),
            )
            if not platform or not post_id:
                raise CounterspellError(f"{path}: line {line}: platform and post_id are required")
            out.append(
                Label(platform, (row.get("community") or "").strip() or None, post_id, role, flags)
            )
    return out


def _path(ws: Workspace) -> LakePath:
    return ws.dataset("labels") / "labels.parquet"


def stored(ws: Workspace) -> list[Label]:
    p = _path(ws)
    if not p.exists():
        return []
    t = p.read_table().to_pydict()
    return [
        Label(
            t["platform"][i],
            t["community"][i],
            t["post_id"][i],
            t["role"][i],
            tuple(t["flags"][i] or ()),
        )
        for i in range(len(t["post_id"]))
    ]


def import_labels(ws: Workspace, path: str) -> int:
    """Merge a label file into the workspace's labels (a later label for a post replaces one)."""
    new = read_csv(path)
    merged = {(lb.platform, lb.community, lb.post_id): lb for lb in stored(ws)}
    merged.update({(lb.platform, lb.community, lb.post_id): lb for lb in new})
    now = datetime.now(UTC)
    rows = list(merged.values())
    table = pa.Table.from_pydict(
        {
            "platform": [r.platform for r in rows],
            "community": [r.community for r in rows],
            "post_id": [r.post_id for r in rows],
            "role": [r.role for r in rows],
            "flags": [list(r.flags) for r in rows],
            "source": [str(Path(path).name)] * len(rows),
            "imported_at": [now] * len(rows),
        },
        schema=LABEL_SCHEMA,
    )
    _path(ws).write_parquet(table)
    return len(new)


def export_labels(ws: Workspace, output: str) -> int:
    rows = stored(ws)
    with open(output, "w", newline="", encoding="utf-8") as f:
        w = csvsafe.Writer(f)
        w.writerow(["platform", "community", "post_id", "role", "flags"])
        for r in rows:
            w.writerow([r.platform, r.community or "", r.post_id, r.role, ";".join(r.flags)])
    return len(rows)


def resolve(ws: Workspace, labels: list[Label]) -> dict[str, Label]:
    """Labels keyed by the uid of the post they name (labels for posts not in the lake drop out)."""
    if not labels or not ws.has_data("posts"):
        return {}
    con = connect()
    con.execute(
        "CREATE TEMP TABLE lab (platform VARCHAR, community VARCHAR, post_id VARCHAR, i INTEGER)"
    )
    con.executemany(
        "INSERT INTO lab VALUES (?, ?, ?, ?)",
        [(lb.platform, lb.community, lb.post_id, i) for i, lb in enumerate(labels)],
    )
    rows = con.execute(
        f"""SELECT p.uid, lab.i FROM {posts_relation_sql(ws)} p JOIN lab
            ON p.platform = lab.platform AND p.post_id = lab.post_id AND (lab.community IS NULL OR p.community = lab.community)"""
    ).fetchall()
    return {uid: labels[i] for uid, i in rows}
