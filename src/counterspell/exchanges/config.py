"""Exchanges a workspace fetches from: their settings, credentials and the bank each one feeds.

An exchange lives in ``exchanges/<name>/`` of the workspace beside the banks: ``exchange.json``
(type, bank, settings such as the file or the NCMEC environment, who added it and when, the last
fetch's counts), ``state.sqlite`` (the fetched records and the checkpoint, :mod:`.state`) and
``audit.jsonl``. Credentials are never there: they live in the workspace's secrets,
``.secrets/exchange-<name>.json`` (0600, in the 0700 folder), and never reach settings, logs,
error messages or the audit text.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CounterspellError, InputError, Place
from ..lake.workspace import Workspace
from ..matching.banks import _NAME, _user, create_bank, get_bank, list_banks
from .kinds import check_credentials, check_settings, kind


@dataclass
class ExchangeInfo:
    name: str
    type: str
    bank: str
    settings: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    created_by: str = ""
    last_fetch: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """What the bank's entries from this exchange carry as their ``source``."""
        return f"exchange:{self.name}"


def exchange_dir(ws: Workspace, name: str) -> Path:
    if not _NAME.match(name):
        raise CounterspellError(
            f"exchange name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, starting with a letter or digit)"
        )
    return ws.root / "exchanges" / name


def secret_name(name: str) -> str:
    return f"exchange-{name}.json"


def get_exchange(ws: Workspace, name: str) -> ExchangeInfo:
    path = exchange_dir(ws, name) / "exchange.json"
    if not path.exists():
        known = ", ".join(e.name for e in list_exchanges(ws)) or "none yet"
        raise CounterspellError(
            f"no exchange named {name!r} (exchanges: {known}); add it with 'counterspell exchange add'"
        )
    return ExchangeInfo(**json.loads(path.read_text(encoding="utf-8")))


def list_exchanges(ws: Workspace) -> list[ExchangeInfo]:
    root = ws.root / "exchanges"
    if not root.exists():
        return []
    return [
        ExchangeInfo(**json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(root.glob("*/exchange.json"))
    ]


def save(ws: Workspace, info: ExchangeInfo) -> None:
    path = exchange_dir(ws, info.name) / "exchange.json"
    tmp = path.with_suffix(f".tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def audit(ws: Workspace, name: str, action: str, **details: Any) -> None:
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "by": _user(),
             "action": action, **details}  # fmt: skip
    with open(exchange_dir(ws, name) / "audit.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def read_credentials(path: str, kind_name: str) -> dict[str, str]:
    """Credentials from a JSON file (``-``: standard input), checked against the kind's fields."""
    import sys

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Place(path), "no such file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # the message names the place only: the text is a secret
        raise InputError(Place(path, line=exc.lineno), "not a JSON object of credentials") from None
    if not isinstance(data, dict):
        raise InputError(Place(path), "not a JSON object of credentials")
    check_credentials(kind_name, data, path)
    return {str(k): str(v) for k, v in data.items()}


def credentials(ws: Workspace, info: ExchangeInfo) -> dict[str, str]:
    """The exchange's credentials from ``.secrets/`` (or $COUNTERSPELL_SECRET_EXCHANGE_<NAME>_JSON)."""
    if not kind(info.type).credentials:
        return {}
    try:
        raw = ws.secret(secret_name(info.name))
    except CounterspellError:
        raise CounterspellError(
            f"exchange {info.name}: no credentials in .secrets/{secret_name(info.name)}; "
            f"run 'counterspell exchange add {info.name} --type {info.type} --credentials FILE --replace'"
        ) from None
    data = json.loads(raw.decode("utf-8"))
    check_credentials(info.type, data, f".secrets/{secret_name(info.name)}")
    return {str(k): str(v) for k, v in data.items()}


def _write_secret(ws: Workspace, name: str, creds: dict[str, str]) -> None:
    sec = ws.root / ".secrets"
    sec.mkdir(mode=0o700, exist_ok=True)
    path = sec / secret_name(name)
    tmp = sec / f".{secret_name(name)}.tmp-{uuid.uuid4().hex[:8]}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(creds, f)
    os.replace(tmp, path)


def add_exchange(
    ws: Workspace, name: str, type_: str, *, bank: str | None = None,
    settings: dict[str, str] | None = None, creds: dict[str, str] | None = None,
    negative: bool = False, pdq_threshold: int | None = None, replace: bool = False,
) -> ExchangeInfo:  # fmt: skip
    """Register an exchange feeding ``bank`` (made when missing: named after the exchange)."""
    k = kind(type_)
    settings = {key: value for key, value in (settings or {}).items() if value not in (None, "")}
    if type_ == "file" and settings.get("file"):
        path = Path(settings["file"]).expanduser().resolve()
        if not path.is_file():
            raise InputError(Place(settings["file"]), "no such file")
        settings["file"] = str(path)  # the library wants an absolute path
    check_settings(type_, settings)
    d = exchange_dir(ws, name)
    if (d / "exchange.json").exists() and not replace:
        raise CounterspellError(f"exchange {name!r} exists already (--replace to change it)")
    if k.credentials and creds is None and not (replace and (d / "exchange.json").exists()):
        raise CounterspellError(
            f"exchange type {type_} needs --credentials FILE (JSON with {', '.join(k.credentials)})"
        )
    bank = bank or name
    names = {b.name for b in list_banks(ws)}
    if bank not in names:
        create_bank(ws, bank, negative=negative, source=f"{type_} exchange {name}",
                    description=f"hashes from the {type_} exchange {name!r}", pdq_threshold=pdq_threshold)  # fmt: skip
    elif negative and get_bank(ws, bank).kind != "negative":
        raise CounterspellError(f"bank {bank!r} exists and is not a negative bank")
    elif pdq_threshold is not None and get_bank(ws, bank).pdq_threshold != pdq_threshold:
        raise CounterspellError(
            f"bank {bank!r} exists: --pdq-threshold sets the threshold of a bank made for the exchange"
        )
    d.mkdir(parents=True, exist_ok=True)
    old = get_exchange(ws, name) if (d / "exchange.json").exists() else None
    if old is not None and old.bank != bank:
        raise CounterspellError(
            f"exchange {name!r} feeds bank {old.bank!r}; remove it to change banks"
        )
    info = ExchangeInfo(name, type_, bank, settings, datetime.now(UTC).isoformat(timespec="seconds"),
                        _user(), old.last_fetch if old else {})  # fmt: skip
    if creds is not None:
        check_credentials(type_, creds, "credentials")
        _write_secret(ws, name, creds)
    save(ws, info)
    audit(ws, name, "replace" if old else "add", type=type_, bank=bank, settings=settings,
          credentials=bool(creds))  # fmt: skip
    return info


def remove_exchange(ws: Workspace, name: str, *, keep_hashes: bool = False) -> int:
    """Forget an exchange, its state and credentials; its hashes leave the bank unless kept.

    Returns how many hashes were removed from the bank."""
    from ..matching.bank_sync import owned, sync_entries

    info = get_exchange(ws, name)
    removed = 0
    if not keep_hashes and info.bank in {b.name for b in list_banks(ws)}:
        mine = owned(ws, info.bank, info.source)
        removed = sync_entries(ws, info.bank, [], mine, source=info.source,
                               detail={"exchange": name, "why": "exchange removed"}).removed  # fmt: skip
    secret = ws.root / ".secrets" / secret_name(name)
    secret.unlink(missing_ok=True)
    shutil.rmtree(exchange_dir(ws, name))
    return removed
