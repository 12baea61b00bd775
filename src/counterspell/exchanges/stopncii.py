"""StopNCII through python-threatexchange, with withdrawn and deleted hashes reaching the bank.

threatexchange 1.2.17's ``StopNCIISignalExchangeAPI`` marks a record deleted when
``record.hashValue`` is ``Withdrawn`` or ``Deleted`` (``_get_delta_mapping`` in
exchanges/impl/stop_ncii_api.py, read 2026-12-02): it compares the hash, not its
``hashStatus``, with the case statuses, so a withdrawn case never leaves a client's bank. A person
who withdraws their hash from StopNCII must see it removed, so this subclass reads the status
itself; everything else (the client, paging, checkpoints, retries) is the library's.

Records of types a bank cannot hold (URL, text, TMK) keep StopNCII's own type name, so that a
fetch can count and skip them instead of losing them silently as the library's mapping would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.clients.stopncii import api as sapi
from threatexchange.exchanges.impl.stop_ncii_api import (
    StopNCIICheckpoint,
    StopNCIISignalExchangeAPI,
    StopNCIISignalMetadata,
)

_TYPES = {sapi.StopNCIISignalType.ImagePDQ: "pdq", sapi.StopNCIISignalType.VideoMD5: "video_md5"}
_GONE = (sapi.StopNCIICaseStatus.Withdrawn, sapi.StopNCIICaseStatus.Deleted)


class StopNCIIExchange(StopNCIISignalExchangeAPI):
    def fetch_iter(
        self, _supported_signal_types: Sequence[Any], checkpoint: StopNCIICheckpoint | None
    ) -> Iterator[state.FetchDelta[tuple[str, str], StopNCIISignalMetadata, StopNCIICheckpoint]]:
        start = (
            sapi.StopNCIIAPI.DEFAULT_START_TIME if checkpoint is None else checkpoint.update_time
        )
        for page in self.api.fetch_hashes_iter(start_timestamp=start):
            updates: dict[tuple[str, str], StopNCIISignalMetadata | None] = {}
            for r in page.hashRecords:
                key = (_TYPES.get(r.signalType, r.signalType.value), r.hashValue)
                updates[key] = (
                    None if r.hashStatus in _GONE else StopNCIISignalMetadata(r.CSPFeedbacks)
                )
            yield state.FetchDelta(updates, StopNCIICheckpoint.from_stopncii_fetch(page))
