"""Hash banks: named, versioned sets of PDQ and MD5 hashes with provenance.

A bank lives in ``banks/<name>/`` of the workspace: ``bank.json`` (kind, description, source,
case reference, version, the over-match limit), ``entries.parquet`` (one row per hash, with who
added it, when, from where), ``index/`` (the PDQ index, rebuilt and swapped in whole on every
change) and ``audit.jsonl`` (every create, import and removal: who, when, how many; never the
hashes themselves, so that a removal leaves no trace of what was removed).

A *negative* bank holds known benign hashes (memes, blank images): a match with a positive bank
is suppressed when the same media also matches a negative bank.

Import reads python-threatexchange's signal lines (``pdq <hex>``, ``md5 <hex>``; ``sha256`` lines,
which the fingerprinting page also saves, are counted and skipped: no bank matches them), CSV with a
header (``signal_type``/``type``, ``signal``/``signal_str``/``hash``, optional ``quality``,
``note``), or bare hex lines. A malformed line stops the import with its line number and nothing
is written; degenerate hashes (all-zero or all-one PDQ, quality under 50) are rejected with a count
and a reason, since they match unrelated images.
"""

from __future__ import annotations

import csv
import getpass
import json
import os
import re
import shutil
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .. import csvsafe
from ..errors import CounterspellError, InputError, Place
from ..lake.workspace import Workspace
from .index import MultiIndex, PDQIndex, hex_to_words

ENTRY_SCHEMA = pa.schema(
    [
        ("entry_id", pa.int64()),
        ("signal_type", pa.string()),  # pdq | md5
        ("hash", pa.string()),
        ("quality", pa.int32()),
        ("note", pa.string()),
        ("source", pa.string()),
        ("case_ref", pa.string()),
        ("added_at", pa.timestamp("us", tz="UTC")),
        ("added_by", pa.string()),
    ]
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
MIN_QUALITY = 50
DEFAULT_MAX_MATCHES = 1000
DELTA_MIN = 50_000


@dataclass
class BankInfo:
    name: str
    kind: str = "positive"
    description: str = ""
    source: str = ""
    case_ref: str = ""
    created_at: str = ""
    created_by: str = ""
    version: int = 0
    max_matches: int = DEFAULT_MAX_MATCHES
    entries: int = 0
    indexed_through: int = 0  # entries with a higher id are in the delta index
    pdq_threshold: int | None = None  # this bank's PDQ distance; None: the workspace's setting


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    version: int = 0


SHA256_SKIPPED = "SHA-256 (skipped: banks match PDQ, MD5 and vPDQ)"


def _user() -> str:
    try:
        return os.environ.get("COUNTERSPELL_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def bank_dir(ws: Workspace, name: str) -> Path:
    if not _NAME.match(name):
        raise CounterspellError(
            f"bank name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, starting with a letter or digit)"
        )
    return ws.root / "banks" / name


def _info_path(ws: Workspace, name: str) -> Path:
    return bank_dir(ws, name) / "bank.json"


def get_bank(ws: Workspace, name: str) -> BankInfo:
    path = _info_path(ws, name)
    if not path.exists():
        known = ", ".join(b.name for b in list_banks(ws)) or "none yet"
        raise CounterspellError(
            f"no bank named {name!r} (banks: {known}); create it with 'counterspell bank create'"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return BankInfo(**data)


def _save_info(ws: Workspace, info: BankInfo) -> None:
    path = _info_path(ws, info.name)
    tmp = path.with_suffix(f".tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _audit(ws: Workspace, name: str, action: str, **details: Any) -> None:
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": _user(),
        "action": action,
        **details,
    }
    with open(bank_dir(ws, name) / "audit.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def create_bank(
    ws: Workspace, name: str, *, negative: bool = False, description: str = "", source: str = "",
    case_ref: str = "", max_matches: int = DEFAULT_MAX_MATCHES, pdq_threshold: int | None = None,
) -> BankInfo:  # fmt: skip
    d = bank_dir(ws, name)
    if (d / "bank.json").exists():
        raise CounterspellError(f"bank {name!r} exists already")
    d.mkdir(parents=True, exist_ok=True)
    info = BankInfo(name, "negative" if negative else "positive", description, source, case_ref,
                    datetime.now(UTC).isoformat(timespec="seconds"), _user(), 0, max_matches,
                    pdq_threshold=check_threshold(pdq_threshold))  # fmt: skip
    _save_info(ws, info)
    _audit(ws, name, "create", kind=info.kind, source=source, case_ref=case_ref)
    return info


def check_threshold(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 31:
        raise CounterspellError(f"PDQ threshold {value}: choose 0 to 31 bits of 256")
    return value


def list_banks(ws: Workspace) -> list[BankInfo]:
    root = ws.root / "banks"
    if not root.exists():
        return []
    return [
        BankInfo(**json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(root.glob("*/bank.json"))
    ]


def entries(ws: Workspace, name: str) -> pa.Table:
    path = bank_dir(ws, name) / "entries.parquet"
    if not path.exists():
        return ENTRY_SCHEMA.empty_table()
    return pq.read_table(path)


def parse_hash_file(path: Path, fmt: str = "auto") -> list[tuple[int, str, str, int | None, str]]:
    """(line, signal_type, hash, quality, note) for every hash in a file; raises on a bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(Place(str(path)), "no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(Place(str(path), offset=exc.start), "not UTF-8 text") from None
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.startswith("#")), "")
    if fmt == "auto":  # CSV needs a header row, whose first field is a name, not a hash
        te_line = re.match(r"^(?:pdq|md5|vpdq)\w*\s", first.lower()) is not None
        fmt = (
            "csv"
            if "," in first and not te_line and not _HEX.match(first.split(",")[0].strip())
            else "te"
        )
    out: list[tuple[int, str, str, int | None, str]] = []
    if fmt == "csv":
        reader = csv.DictReader(lines)
        cols = {c.lower().strip(): c for c in reader.fieldnames or []}
        hcol = next(
            (cols[c] for c in ("signal", "signal_str", "hash", "pdq", "md5") if c in cols), None
        )
        if hcol is None:
            raise InputError(
                Place(str(path), line=1), "no hash column (signal, signal_str or hash)"
            )
        tcol = next((cols[c] for c in ("signal_type", "type") if c in cols), None)
        for n, row in enumerate(reader, start=2):
            value = (row.get(hcol) or "").strip()
            kind = (
                (row.get(tcol) or "").strip()
                if tcol
                else (hcol.lower() if hcol.lower() in ("pdq", "md5") else "")
            )
            q = (row.get(cols["quality"]) or "").strip() if "quality" in cols else ""
            note = (row.get(cols["note"]) or "").strip() if "note" in cols else ""
            out.append(_checked(path, n, kind, value, q, note))
    elif fmt == "te":
        for n, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if _is_json_signal(parts[0]) and len(parts) >= 2:
                out.append(_checked(path, n, parts[0], line.split(None, 1)[1], "", ""))
                continue  # its JSON may hold spaces: the rest of the line is the signal
            kind, value = (parts[0], parts[1]) if len(parts) >= 2 else ("", parts[0])
            note = " ".join(parts[2:]) if len(parts) > 2 else ""
            if kind.lower() == "sha256" and re.fullmatch(r"[0-9a-fA-F]{64}", value):
                out.append((n, "sha256", value.lower(), None, note))  # counted, not banked
                continue
            out.append(_checked(path, n, kind, value, "", note))
    else:
        raise CounterspellError(f"--format {fmt!r}: choose auto, te or csv")
    return out


def _is_json_signal(kind: str) -> bool:
    """A signal whose value is JSON (vPDQ's frames), which may hold spaces."""
    from .signals import signal_for

    signal = signal_for(kind)
    return signal is not None and signal.hex_length is None


def _checked(
    path: Path, line: int, kind: str, value: str, quality: str, note: str
) -> tuple[int, str, str, int | None, str]:
    from .signals import signal_by_length, signal_for

    signal = signal_for(kind) if kind else signal_by_length(value)
    if signal is None:
        from .signals import SIGNALS

        raise InputError(
            Place(str(path), line=line),
            f"signal type {kind or value[:80]!r}: only {', '.join(SIGNALS.names())} are supported",
        )
    try:
        value = signal.validate(value)
    except ValueError as exc:
        raise InputError(Place(str(path), line=line), str(exc)) from None
    q: int | None = None
    if quality:
        try:
            q = int(float(quality))
        except ValueError:
            raise InputError(
                Place(str(path), line=line), f"quality {quality!r} is not a number"
            ) from None
    return line, signal.name, value, q, note


def import_hashes(
    ws: Workspace,
    name: str,
    path: str | Path,
    *,
    fmt: str = "auto",
    source: str = "",
    case_ref: str = "",
) -> ImportResult:
    info = get_bank(ws, name)
    parsed = parse_hash_file(Path(path), fmt)
    result = ImportResult()
    table = entries(ws, name)
    seen = set(
        zip(table.column("signal_type").to_pylist(), table.column("hash").to_pylist(), strict=True)
    )
    next_id = (max(table.column("entry_id").to_pylist()) + 1) if table.num_rows else 1
    now = datetime.now(UTC)
    new: list[dict[str, Any]] = []
    from .signals import SIGNALS

    for _, kind, value, q, note in parsed:
        if kind == "sha256":  # the fingerprinting page saves them for the removal form's sweep
            result.rejected[SHA256_SKIPPED] += 1
            continue
        reason = SIGNALS.get(kind).reject(value, q)
        if reason is not None:
            result.rejected[reason] += 1
            continue
        if (kind, value) in seen:
            result.duplicates += 1
            continue
        seen.add((kind, value))
        new.append({"entry_id": next_id, "signal_type": kind, "hash": value, "quality": q, "note": note or None,
                    "source": source or info.source or str(path), "case_ref": case_ref or info.case_ref or None,
                    "added_at": now, "added_by": _user()})  # fmt: skip
        next_id += 1
    result.added = len(new)
    if new:
        table = pa.concat_tables(
            [table.cast(ENTRY_SCHEMA), pa.Table.from_pylist(new, schema=ENTRY_SCHEMA)]
        )
        _commit(ws, info, table)
    result.version = info.version
    _audit(ws, name, "import", added=result.added, duplicates=result.duplicates,
           rejected=dict(result.rejected), source=source or str(path), case_ref=case_ref, version=info.version)  # fmt: skip
    return result


def remove_hashes(ws: Workspace, name: str, path: str | Path, *, reason: str = "") -> int:
    """Remove every listed hash from the bank and its index (a victim's request is complete)."""
    info = get_bank(ws, name)
    wanted = {(kind, value) for _, kind, value, _, _ in parse_hash_file(Path(path))}
    table = entries(ws, name)
    keys = list(
        zip(table.column("signal_type").to_pylist(), table.column("hash").to_pylist(), strict=True)
    )
    keep = np.array([k not in wanted for k in keys], dtype=bool)
    removed = int((~keep).sum())
    if removed:
        _commit(ws, info, table.filter(pa.array(keep)), removal=True)
    _audit(
        ws,
        name,
        "remove-hashes",
        removed=removed,
        requested=len(wanted),
        reason=reason,
        version=info.version,
    )
    return removed


def _commit(ws: Workspace, info: BankInfo, table: pa.Table, *, removal: bool = False) -> None:
    """New entries, then the index, then the bank's version; each swapped in whole.

    Additions go to a small *delta* index beside the main one while it stays under 5% of the
    main index (at least DELTA_MIN hashes), so an import into a bank of millions takes
    milliseconds; past that, or after a removal, the main index is rebuilt from every entry and
    the delta dropped. A removal always rebuilds: the removed hashes must leave the disk.
    """
    d = bank_dir(ws, info.name)
    tmp = d / f".entries.tmp-{uuid.uuid4().hex[:8]}.partial"
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, d / "entries.parquet")
    pdq = table.filter(pa.compute.equal(table.column("signal_type"), "pdq"))
    ids = np.asarray(pdq.column("entry_id").to_pylist(), dtype=np.int64)
    hashes = pdq.column("hash").to_pylist()
    fresh = ids > info.indexed_through
    main_size = int((~fresh).sum())
    if (
        not removal
        and (d / "index").exists()
        and int(fresh.sum()) <= max(DELTA_MIN, main_size // 20)
    ):
        delta = hex_to_words([h for h, f in zip(hashes, fresh, strict=True) if f])
        PDQIndex.build(d / "index-delta", delta, ids[fresh])
    else:
        PDQIndex.build(d / "index", hex_to_words(hashes), ids)  # written out of core
        shutil.rmtree(d / "index-delta", ignore_errors=True)
        info.indexed_through = (
            int(table.column("entry_id").to_numpy().max()) if table.num_rows else 0
        )
    info.version += 1
    info.entries = table.num_rows
    _save_info(ws, info)
    if removal:
        _prune_matches(ws, info.name, table.column("entry_id"))


def _prune_matches(ws: Workspace, name: str, kept: pa.ChunkedArray) -> int:
    """Drop the lake's matches against entries the bank no longer holds: a withdrawn hash (an
    exchange's deletion, a victim's completed request) must stop counting for a post, in the
    queue's priority and the reports, at once, not at the next ``match``. Returns rows dropped."""
    from ..lake.writer import DerivedDataset, partition_dir_name

    folder = ws.dataset("matches") / partition_dir_name("bank", name)
    if not folder.has_files("*.parquet"):
        return 0
    rows = pa.concat_tables(
        [f.read_table() for f in folder.glob("*.parquet")], promote_options="default"
    )
    keep = pa.compute.is_in(rows.column("entry_id"), value_set=kept.combine_chunks())
    dropped: int = rows.num_rows - int(pa.compute.sum(keep).as_py() or 0)
    if dropped:
        DerivedDataset(folder, ws.lake).replace_with(rows.filter(keep))
    return dropped


def load_index(ws: Workspace, name: str) -> MultiIndex:
    """The bank's main index and its delta, searched as one."""
    d = bank_dir(ws, name)
    parts = [PDQIndex.load(d / sub) for sub in ("index", "index-delta") if (d / sub).exists()]
    return MultiIndex(parts)


def export_bank(ws: Workspace, name: str, fmt: str, output: str | None) -> int:
    get_bank(ws, name)
    rows = entries(ws, name).to_pylist()
    if fmt == "te":
        text = "".join(f"{r['signal_type']} {r['hash']}\n" for r in rows)
    elif fmt == "csv":
        import io

        buf = io.StringIO()
        w = csvsafe.Writer(buf, lineterminator="\n")
        w.writerow(
            [
                "signal_type",
                "signal",
                "quality",
                "note",
                "source",
                "case_ref",
                "added_at",
                "added_by",
            ]
        )
        for r in rows:
            w.writerow([r["signal_type"], r["hash"], r["quality"] if r["quality"] is not None else "", r["note"] or "",
                        r["source"] or "", r["case_ref"] or "", r["added_at"].isoformat(), r["added_by"] or ""])  # fmt: skip
        text = buf.getvalue()
    else:
        raise CounterspellError(f"--format {fmt!r}: choose te or csv")
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        import sys

        sys.stdout.write(text)
    return len(rows)
