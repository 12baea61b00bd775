"""The review queue's 0-10 priority: what a reviewer sees first.

Its own module because three writers set it: ``queue sync`` (from the lake), live rules (which may
raise it) and the refresh of items whose bank matches were withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable

_FLAG_SEVERITY = {"doxxing": 3.0, "non_consent": 2.0, "payment": 0.5}
_ROLE_SEVERITY = {
    "fulfillment": 2.5,
    "distribution": 2.0,
    "request": 1.5,
    "source_solicitation": 1.0,
}


def priority(
    role: str, confidence: float, flags: Iterable[str], bank_matches: int, has_target: bool
) -> float:
    """0-10: possible minors 9.5-10 (always first), sextortion 9-9.4, the rest by severity x
    confidence, <= 8.9. An objection in a minor-risk thread is the witness, not the harm: 9.5,
    under every other minor-risk item (confidently read counter-speech topped the queue)."""
    flags = set(flags)
    confidence = min(max(confidence, 0.0), 1.0)
    if "minor_risk" in flags:
        return 9.5 if role == "counter_speech" else round(9.6 + 0.4 * confidence, 1)
    if "sextortion" in flags:  # beside minors: someone is being extorted now, never above them
        return round(9.0 + 0.4 * confidence, 1)
    severity = (
        _ROLE_SEVERITY.get(role, 0.5)
        + sum(_FLAG_SEVERITY.get(f, 0.0) for f in flags)
        + (2.5 if bank_matches else 0.0)
        + (0.5 if has_target else 0.0)
    )
    return round(min(8.9, severity * (0.6 + 0.4 * confidence)), 1)


__all__ = ["priority"]
