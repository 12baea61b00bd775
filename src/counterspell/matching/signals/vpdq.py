"""vPDQ: a video as the PDQ hashes of its frames; two videos match when enough frames do."""

from __future__ import annotations

import numpy as np

from .. import video
from ..banks import entries
from ..index import PDQIndex, hex_to_words
from .base import Hits, MatchContext, SignalType

VPDQ_MATCH_PERCENT = 80.0  # python-threatexchange's default for the query side


class VPDQSignal(SignalType):
    name = "vpdq"
    aliases = ("vpdq_signal",)

    @classmethod
    def validate(cls, value: str) -> str:
        """python-threatexchange's JSON list of frames, normalised."""
        try:
            return video.to_te_json(video.from_te_json(value))
        except ValueError as exc:
            raise ValueError(f"vPDQ: {exc}") from None

    @classmethod
    def reject(cls, value: str, quality: int | None) -> str | None:
        if not any(f.quality >= video.QUALITY_MIN for f in video.from_te_json(value)):
            return f"vPDQ without a frame of quality {video.QUALITY_MIN} or more"
        return None

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        """100 minus the share (percent) of ``a``'s good frames found in ``b``."""
        query_pct, _ = video.match(video.from_te_json(a), video.from_te_json(b), video.DISTANCE)
        return 100.0 - query_pct * 100.0

    @classmethod
    def find(cls, ctx: MatchContext) -> Hits:
        """Every good frame of every bank video goes into one PDQ index; the lake's video frames
        are looked up in it, and each (video, entry) pair that shares a frame is compared as
        python-threatexchange does: a match when at least ``VPDQ_MATCH_PERCENT`` of the video's
        good frames are in the entry."""
        table = entries(ctx.ws, ctx.bank.name).to_pydict()
        bank_frames = {
            int(e): video.from_te_json(h)
            for e, k, h in zip(table["entry_id"], table["signal_type"], table["hash"], strict=True)
            if k == cls.name
        }
        lake = {i: video.loads(v) for i, v in enumerate(ctx.media["vpdq"].tolist()) if v}
        if not bank_frames or not lake:
            return Hits.empty()
        f_entry = [
            e for e, frames in bank_frames.items() for f in frames if f.quality >= video.QUALITY_MIN
        ]
        f_hex = [
            f.pdq
            for frames in bank_frames.values()
            for f in frames
            if f.quality >= video.QUALITY_MIN
        ]
        q_row = [i for i, frames in lake.items() for f in frames if f.quality >= video.QUALITY_MIN]
        q_hex = [
            f.pdq for frames in lake.values() for f in frames if f.quality >= video.QUALITY_MIN
        ]
        if not f_hex or not q_hex:
            return Hits.empty()
        found = PDQIndex(hex_to_words(f_hex), np.asarray(f_entry, dtype=np.int64)).search(
            hex_to_words(q_hex), video.DISTANCE
        )
        pairs = sorted(
            {
                (q_row[q], int(e))
                for q, e in zip(found.query.tolist(), found.entry.tolist(), strict=True)
            }
        )
        rows, ids, pct = [], [], []
        for i, e in pairs:
            query_pct, _ = video.match(lake[i], bank_frames[e], video.DISTANCE)
            if query_pct * 100 >= VPDQ_MATCH_PERCENT:
                rows.append(i)
                ids.append(e)
                pct.append(round(query_pct * 100, 1))
        n = len(rows)
        return Hits.of(np.asarray(rows), np.asarray(ids), np.full(n, -1), np.asarray(pct))
