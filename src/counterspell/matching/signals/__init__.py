"""The signal types a bank holds and matching understands, registered in one place.

Built-ins register exactly as a plugin does (entry point group ``counterspell.signals``, an
object that is a :class:`~.base.SignalType` subclass); a name or alias can be taken only once.
"""

from __future__ import annotations

from ...registry import Registry
from .base import Hits, MatchContext, SignalType
from .md5 import MD5Signal
from .pdq import PDQSignal
from .vpdq import VPDQSignal

SIGNALS: Registry[type[SignalType]] = Registry("signal type", entry_points="counterspell.signals")
for _signal in (PDQSignal, MD5Signal, VPDQSignal):
    SIGNALS.register(_signal.name, _signal)


def signal_for(name: str) -> type[SignalType] | None:
    """The signal type a name or alias means ("pdq", "video_md5", "vpdq_signal"...)."""
    key = name.strip().lower()
    for signal in SIGNALS:
        if key in signal.names():
            return signal
    return None


def signal_by_length(value: str) -> type[SignalType] | None:
    """The fixed-length hex signal type a bare value's length says, if any."""
    return next((s for s in SIGNALS if s.hex_length == len(value)), None)


__all__ = [
    "SIGNALS",
    "Hits",
    "MD5Signal",
    "MatchContext",
    "PDQSignal",
    "SignalType",
    "VPDQSignal",
    "signal_by_length",
    "signal_for",
]
