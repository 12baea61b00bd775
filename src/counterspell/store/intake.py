"""The public intake of removal requests: a flood must not drown real requests.

Anyone may file a request without an account, so anyone can file thousands. Three things keep
real requests visible and on their clock:

* **proof of work**: the form's script spends a moment finding a number whose SHA-256 with a
  server-signed challenge starts with :data:`POW_BITS` zero bits (no third party, no tracking; a
  challenge expires after :data:`CHALLENGE_TTL`). A browser does it in about a second; a script
  sending thousands pays for each.
* **rate limits**: per sender (a keyed hash of the address, never the address) and overall, per
  hour.
* **triage**: a request over a limit or without a proof is still kept, but as ``triage``: no
  48-hour clock starts, it is listed apart, and it never enters the due list or the compliance
  figures. A person accepts it (the deadline then runs from when it was *received*, so a real
  request that landed there loses nothing) or closes it as junk. Past :data:`TRIAGE_BUDGET`
  waiting requests new ones are refused (429) until staff catch up: the store cannot be filled.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select

from ..errors import CounterspellError
from .schema import takedowns

POW_BITS = 16
CHALLENGE_TTL = timedelta(minutes=30)
PER_SENDER_PER_HOUR = 5
ALL_PER_HOUR = 300
TRIAGE_BUDGET = 5_000


class IntakeFull(CounterspellError):
    """Too many requests wait in triage: refuse new ones (HTTP 429) rather than store them."""


def sender_hash(key: bytes, client: str) -> str:
    return hmac.new(key, b"sender:" + client.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def new_challenge(key: bytes, now: datetime | None = None) -> str:
    """``time.nonce.mac``: the server need not remember what it handed out."""
    ts = int((now or datetime.now(UTC)).timestamp())
    body = f"{ts}.{secrets.token_hex(8)}"
    mac = hmac.new(key, b"pow:" + body.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{mac}"


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solve(challenge: str, bits: int = POW_BITS) -> str:
    """What the form's script does (tests and API clients use this)."""
    n = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) < bits:
        n += 1
    return str(n)


def proof_problem(
    key: bytes, challenge: str, proof: str, now: datetime | None = None
) -> str | None:
    """Why a proof of work does not count, or None when it does."""
    parts = challenge.split(".")
    if not challenge or not proof or len(parts) != 3 or not parts[0].isdigit():
        return "no proof of work (the form's check did not run)"
    mac = hmac.new(key, b"pow:" + f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]
    if not hmac.compare_digest(mac.encode(), parts[2].encode("utf-8", "replace")):
        return "a proof of work for a challenge this service did not issue"
    age = (now or datetime.now(UTC)) - datetime.fromtimestamp(int(parts[0]), UTC)
    if not timedelta(0) <= age <= CHALLENGE_TTL:
        return "an expired proof of work"
    digest = hashlib.sha256(f"{challenge}:{proof[:40]}".encode("utf-8", "replace")).digest()
    if leading_zero_bits(digest) < POW_BITS:
        return "a proof of work that does not check out"
    return None


def triage_reason(
    conn: Connection, key: bytes, client: str, challenge: str, proof: str
) -> tuple[str | None, str]:
    """(why this request goes to triage or None, the sender's hash); raises IntakeFull."""
    now = datetime.now(UTC)
    sender = sender_hash(key, client)
    waiting = conn.execute(
        select(func.count()).select_from(takedowns).where(takedowns.c.status == "triage")
    ).scalar_one()
    if waiting >= TRIAGE_BUDGET:
        raise IntakeFull(
            "this service is receiving too many requests right now; please try again in an hour"
        )
    hour = now - timedelta(hours=1)
    recent = select(func.count()).select_from(takedowns).where(takedowns.c.received_at > hour)
    mine = conn.execute(recent.where(takedowns.c.client_hash == sender)).scalar_one()
    if mine >= PER_SENDER_PER_HOUR:
        return f"more than {PER_SENDER_PER_HOUR} requests in an hour from one sender", sender
    problem = proof_problem(key, challenge, proof, now)
    if problem:
        return problem, sender
    # the overall limit counts requests admitted with a proof: a flood without proofs (already
    # in triage) must not push a real request with one into triage too
    admitted = conn.execute(recent.where(takedowns.c.status != "triage")).scalar_one()
    if admitted >= ALL_PER_HOUR:
        return f"more than {ALL_PER_HOUR} requests in an hour in all (a flood)", sender
    return None, sender
