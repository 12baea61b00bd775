"""PDQ: Meta's perceptual hash of an image; near copies are within a Hamming radius."""

from __future__ import annotations

import re

import numpy as np

from ...executors import LocalExecutor
from ...lake.workspace import Workspace
from ..banks import MIN_QUALITY, load_index
from ..hashing import dihedral_hashes
from ..index import MultiIndex, hex_to_words
from .base import Hits, MatchContext, SignalType

CHUNK = 50_000  # items per search task
_HEX = re.compile(r"^[0-9a-fA-F]+$")


class PDQSignal(SignalType):
    name = "pdq"
    aliases = ("pdq_signal",)
    hex_length = 64

    @classmethod
    def validate(cls, value: str) -> str:
        if len(value) != 64 or not _HEX.match(value):
            raise ValueError(f"{value[:80]!r} is not a PDQ hash (64 hex digits)")
        return value.lower()

    @classmethod
    def reject(cls, value: str, quality: int | None) -> str | None:
        if value.strip("0") == "":
            return "all-zero PDQ"
        if value.strip("f") == "":
            return "all-one PDQ"
        if quality is not None and quality < MIN_QUALITY:
            return f"PDQ quality under {MIN_QUALITY}"
        return None

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return float(bin(int(a, 16) ^ int(b, 16)).count("1"))

    @classmethod
    def find(cls, ctx: MatchContext) -> Hits:
        """Through the bank's index, in chunks of CHUNK items on the executor (local processes
        memory-map the index; Dask workers are sent it once each); with ``dihedral`` also the
        rotations and flips of every image whose file is at hand. One row per (item, entry):
        the nearest of the item's variants."""
        pdq = np.asarray(ctx.media["pdq"], dtype=object)
        has = np.flatnonzero(pdq != None)  # noqa: E711 (object array)
        if not len(has):
            return Hits.empty()
        paths = np.asarray(ctx.media["path"], dtype=object)
        runner = ctx.executor or LocalExecutor(1)
        index = runner.share(lambda: load_index(ctx.ws, ctx.bank.name))
        jobs = [
            (ctx.ws, ctx.bank.name, index, ctx.radius, ctx.dihedral, has[k : k + CHUNK].tolist(),
             [str(h) for h in pdq[has[k : k + CHUNK]]], paths[has[k : k + CHUNK]].tolist())
            for k in range(0, len(has), CHUNK)
        ]  # fmt: skip
        found = runner.map(_search_job, jobs)
        qrows = np.concatenate([f[0] for f in found])
        entry = np.concatenate([f[1] for f in found])
        distance = np.concatenate([f[2] for f in found])
        order = np.lexsort((distance, entry, qrows))
        qrows, entry, distance = qrows[order], entry[order], distance[order]
        first = np.ones(len(qrows), dtype=bool)
        first[1:] = (qrows[1:] != qrows[:-1]) | (entry[1:] != entry[:-1])
        return Hits.of(qrows[first], entry[first], distance[first])


def _search_job(
    job: tuple[
        Workspace, str, MultiIndex | None, int, bool, list[int], list[str], list[str | None]
    ],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One chunk of items against a bank's index: the one the executor sent this worker, or
    the workspace's, memory-mapped."""
    ws, bank_name, index, radius, dihedral, rows, hexes, paths = job
    query_rows, query_hex = list(rows), list(hexes)
    if dihedral:  # the seven other rotations and flips of every image whose file is at hand
        for i, path in zip(rows, paths, strict=True):
            if path:
                try:
                    variants = dihedral_hashes(str(path))
                except (OSError, ValueError):
                    continue  # unreadable now: its stored PDQ is still matched
                query_rows.extend([i] * len(variants))
                query_hex.extend(variants)
    m = (index or load_index(ws, bank_name)).search(hex_to_words(query_hex), radius)
    qrows = np.asarray(query_rows, dtype=np.int64)[m.query] if len(m.query) else m.query
    return qrows, m.entry, m.distance
