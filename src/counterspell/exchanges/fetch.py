"""``counterspell exchange fetch``: an exchange's new, changed and deleted records into its bank.

Incremental and resumable: each page the library's ``fetch_iter`` yields is applied to the
exchange's records (in an open transaction, with the page's checkpoint), and a batch of pages is
then written to the bank (one new bank version, additions and removals together) before that
transaction commits. A batch closes at ``FLUSH_MIN`` pending hashes or a tenth of the bank,
whichever is more, after ``FLUSH_SECONDS``, at the end, and when the exchange fails mid-fetch:
writing the bank per page rewrote its whole entries file and index for each page, quadratic in
a first fetch of millions of hashes. A fetch cut short (a dropped connection, a refused request)
keeps every page received before it; Ctrl-C or a crash keeps every batch committed before it;
the next fetch starts from the last committed checkpoint. Pages replayed after a crash between
the bank and the state are harmless: the bank already has (or lacks) their hashes.

Signal types map to the bank's kinds (PDQ, MD5, vPDQ: python-threatexchange's names and aliases,
NCMEC's image PDQ and image or video MD5); other types (URLs, text, PhotoDNA, TMK) are counted
and skipped with a notice, as are values that are not valid hashes of their type.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import CounterspellError, InputError, Place
from ..lake.workspace import Workspace
from ..matching.bank_sync import Incoming, sync_entries
from ..matching.banks import get_bank
from ..matching.signals import SIGNALS, signal_for
from .config import ExchangeInfo, audit, credentials, exchange_dir, get_exchange, save
from .kinds import build, checkpoint_from, checkpoint_json, key_text, kind, signals_of
from .state import State

log = logging.getLogger(__name__)

FLUSH_MIN = 20_000  # pending hashes that close a batch (or a tenth of the bank, if more)
FLUSH_SECONDS = 30.0  # and at most this long between commits, so progress is kept


@dataclass
class FetchResult:
    pages: int = 0
    records: int = 0  # updates and deletions received
    added: int = 0  # hashes added to the bank
    removed: int = 0  # hashes removed from the bank
    skipped: Counter[str] = field(default_factory=Counter)  # signal type -> count
    invalid: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)  # degenerate hashes
    complete: bool = False
    resumed: bool = False
    swept: bool = False
    # (record, type, value) already counted as skipped or invalid: an exchange that pages by time
    # windows (NCMEC) can give a record on a window's edge twice, and it is one record
    counted: set[tuple[str, str, str]] = field(default_factory=set, repr=False)


def _supported() -> list[Any]:
    """The library's signal types for the kinds a bank holds (fetch_iter and sample use them)."""
    from threatexchange.signal_type.md5 import VideoMD5Signal
    from threatexchange.signal_type.pdq.signal import PdqSignal

    return [PdqSignal, VideoMD5Signal]


def _http_error(exc: BaseException, info: ExchangeInfo) -> CounterspellError | None:
    """One clear line for a failed request; never the query string (ThreatExchange puts its token
    there) nor the credentials."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        where = urlsplit(exc.response.url).path
        why = {401: "the credentials were refused", 403: "the credentials were refused",
               429: "rate limited"}.get(status, "the request failed")  # fmt: skip
        return CounterspellError(f"exchange {info.name}: {why} (HTTP {status} at {where})")
    if isinstance(exc, requests.exceptions.RetryError):
        return CounterspellError(
            f"exchange {info.name}: still refused after retries (rate limited or the server failing)"
        )
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return CounterspellError(
            f"exchange {info.name}: the connection failed ({type(exc).__name__})"
        )
    return None


def _fetch_error(
    exc: BaseException, info: ExchangeInfo, secrets: dict[str, str], result: FetchResult
) -> CounterspellError:
    """What went wrong on the exchange's side, and that the next fetch resumes; any credential
    the library's message might carry is blanked."""
    clear = _http_error(exc, info)
    if clear is None:
        text = f"{type(exc).__name__}: {str(exc)[:300]}"
        for value in secrets.values():
            text = text.replace(value, "***") if value else text
        clear = CounterspellError(f"exchange {info.name}: the exchange's answer failed ({text})")
    return CounterspellError(
        f"{clear}; {result.pages} page(s) were committed, run 'counterspell exchange fetch {info.name}' again to resume"
    )


def _check_file(path: Path) -> None:
    """The file exchange reads with assertions and the locale's encoding: say what is wrong."""
    if not path.is_file():
        raise InputError(
            Place(str(path)), "no such file (the file exchange reads it on every fetch)"
        )
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(Place(str(path), offset=exc.start), "not UTF-8 text") from None


def _map(record: str, raw_type: str, value: str, result: FetchResult) -> tuple[str, str] | None:
    signal = signal_for(raw_type)
    first = (record, raw_type, value) not in result.counted
    if signal is None or signal.name not in SIGNALS.names():
        result.skipped[raw_type] += first
        result.counted.add((record, raw_type, value))
        return None
    try:
        return signal.name, signal.validate(value)
    except ValueError:
        result.invalid[signal.name] += first
        result.counted.add((record, raw_type, value))
        return None


def fetch(
    ws: Workspace, name: str, *, on_page: Callable[[FetchResult], None] | None = None
) -> FetchResult:
    """Fetch one exchange into its bank (see the module's docstring); one fetch at a time."""
    import fcntl

    get_exchange(ws, name)
    with open(exchange_dir(ws, name) / ".fetch.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CounterspellError(f"exchange {name}: a fetch is running already") from None
        return _fetch(ws, name, on_page)


@dataclass
class _Batch:
    """Pages applied to the records (in the state's open transaction) whose bank changes are not
    written yet; the last change to a hash wins, as page-by-page application would give."""

    bank_entries: int  # the bank's size when the batch began (it changes only when one is written)
    add: dict[tuple[str, str], Incoming] = field(default_factory=dict)
    remove: set[tuple[str, str]] = field(default_factory=set)
    pages: int = 0
    started: float = field(default_factory=time.monotonic)

    def due(self) -> bool:
        pending = len(self.add) + len(self.remove)
        return (
            pending >= max(FLUSH_MIN, self.bank_entries // 10)
            or time.monotonic() - self.started >= FLUSH_SECONDS
        )


def _fetch(ws: Workspace, name: str, on_page: Callable[[FetchResult], None] | None) -> FetchResult:
    info = get_exchange(ws, name)
    k = kind(info.type)
    secrets = credentials(ws, info)
    if info.type == "file":
        _check_file(Path(info.settings["file"]))
    api = build(info.name, info.type, info.settings, secrets)
    state = State(exchange_dir(ws, name) / "state.sqlite")
    result = FetchResult()
    try:
        checkpoint = checkpoint_from(info.type, state.get("checkpoint"))
        generation = int(state.get("generation") or 0)
        sweep = state.get("sweep")
        if k.snapshot or (checkpoint is not None and checkpoint.is_stale()):
            checkpoint, sweep = None, None  # fetch everything again
        if checkpoint is None and sweep is None:
            generation += 1
            sweep = str(generation)
            state.begin()
            state.put("generation", str(generation))
            state.put("sweep", sweep)
            state.put("checkpoint", None)
            state.commit()
        result.resumed = checkpoint is not None
        seen = int(sweep) if sweep is not None else generation
        pages = iter(api.fetch_iter(_supported(), checkpoint))
        batch = _Batch(get_bank(ws, info.bank).entries)
        try:
            while True:
                try:
                    delta = next(pages)
                except StopIteration:
                    break
                except Exception as exc:  # the exchange's side: said in one line, resumable
                    _flush(ws, info, state, batch, result)  # keep the pages received
                    raise _fetch_error(exc, info, secrets, result) from None
                if not batch.pages:
                    state.begin()
                _apply(info, state, delta, seen, result, batch)
                if batch.due():
                    _flush(ws, info, state, batch, result)
                    batch = _Batch(get_bank(ws, info.bank).entries)
                if on_page is not None:
                    on_page(result)
            _flush(ws, info, state, batch, result)
        except BaseException:
            state.rollback()  # what was not flushed is fetched again from the last checkpoint
            raise
        if sweep is not None:
            state.begin()
            try:
                stale = state.unseen(int(sweep))
                orphans = state.orphans(stale)
                r = sync_entries(ws, info.bank, [], orphans, source=info.source,
                                 detail={"exchange": name, "why": "not in a full fetch"})  # fmt: skip
                result.removed += r.removed
                state.put("sweep", None)
                state.commit()
            except BaseException:
                state.rollback()
                raise
            result.swept = True
        result.complete = True
    finally:
        records, signals = state.count()
        state.close()
        # also when cut short: `exchange list` says the last fetch is incomplete
        info.last_fetch = {"pages": result.pages, "records": result.records, "added": result.added,
                           "removed": result.removed, "skipped": dict(result.skipped),
                           "invalid": dict(result.invalid), "complete": result.complete,
                           "held_records": records, "held_signals": signals}  # fmt: skip
        save(ws, info)
        audit(ws, name, "fetch", **info.last_fetch)
    return result


def _apply(
    info: ExchangeInfo, state: State, delta: Any, seen: int, result: FetchResult, batch: _Batch
) -> None:
    """One page: the records and the checkpoint, in the open transaction; the bank's changes
    into ``batch``."""
    add: dict[tuple[str, str], Incoming] = {}
    dropped: set[tuple[str, str]] = set()
    for key, value in delta.updates.items():
        kt = key_text(key)
        before = state.signals(kt)
        raws = signals_of(info.type, key, value, info.settings)
        if raws is None:
            state.delete(kt)
            dropped |= before
            continue
        now: dict[tuple[str, str], str] = {}
        for raw in raws:
            mapped = _map(kt, raw.type_name, raw.value, result)
            if mapped is not None:
                now[mapped] = raw.meta
        state.replace(kt, [(t, h, m) for (t, h), m in now.items()], seen)
        dropped |= before - set(now)
        for t, h in now:
            add[t, h] = Incoming(t, h, note=f"{info.name} {kt}"[:200])
    result.records += len(delta.updates)
    orphans = state.orphans(dropped) - set(add)
    for gone in orphans:
        batch.add.pop(gone, None)
    batch.remove = (batch.remove | orphans) - set(add)
    batch.add.update(add)
    state.put("checkpoint", checkpoint_json(delta.checkpoint))
    batch.pages += 1
    result.pages += 1


def _flush(
    ws: Workspace, info: ExchangeInfo, state: State, batch: _Batch, result: FetchResult
) -> None:
    """The batch's bank changes as one bank version, then its records and checkpoint committed."""
    if not batch.pages:
        return
    r = sync_entries(ws, info.bank, list(batch.add.values()), batch.remove, source=info.source,
                     detail={"exchange": info.name, "pages": batch.pages})  # fmt: skip
    result.added += r.added
    result.removed += r.removed
    result.rejected.update(r.rejected)
    state.commit()
    batch.pages = 0
