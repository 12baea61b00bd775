"""vPDQ for videos: a PDQ hash per second of video, and the two-way frame match Meta defines.

Needs the optional ``vpdq`` package (the ``[vpdq]`` extra; it builds against FFmpeg's libraries,
on Debian ``libavformat-dev libavcodec-dev libavdevice-dev libavfilter-dev libswscale-dev
libswresample-dev libavutil-dev``). Without it a video still gets its MD5 and SHA-256, and the
reason its vPDQ is missing is recorded instead of failing the run.

A vPDQ is stored as text, one line per sampled frame: ``frame,quality,pdq_hex,seconds``
(the order of vpdq's own output files). Two videos match when enough frames of each have a
frame of the other within a PDQ distance (:func:`match`), which survives re-encoding, scaling
and cutting the start or end.
"""

from __future__ import annotations

from dataclasses import dataclass

VIDEO_EXTENSIONS = {
    ".mp4",
    ".webm",
    ".mov",
    ".mkv",
    ".m4v",
    ".avi",
    ".mpg",
    ".mpeg",
    ".wmv",
    ".3gp",
}
SECONDS_PER_HASH = 1.0
MAX_FRAMES = 36_000  # ten hours at one hash a second; longer is refused as hostile
QUALITY_MIN = 50  # frames below this (blank, flat) say nothing and are left out of matching
DISTANCE = 31  # PDQ distance at which two frames are the same


@dataclass(frozen=True, slots=True)
class Frame:
    frame: int
    quality: int
    pdq: str
    seconds: float


def available() -> str | None:
    """None when vPDQ can run here, else why not (recorded with each skipped video)."""
    try:
        import vpdq  # noqa: F401
    except ImportError:
        return "vpdq is not installed (pip install 'counterspell[vpdq]', which needs FFmpeg's libraries)"
    return None


def compute(path: str) -> list[Frame]:
    """The vPDQ of a video file; raises ValueError for a file vpdq cannot decode."""
    import vpdq

    features = vpdq.computeHash(path, seconds_per_hash=SECONDS_PER_HASH)
    if not features:
        raise ValueError("no frame could be decoded")
    if len(features) > MAX_FRAMES:
        raise ValueError(f"{len(features):,} sampled frames is over the {MAX_FRAMES:,} limit")
    return [
        Frame(int(f.frame_number), int(f.quality), str(f.hex), round(float(f.timestamp), 3))
        for f in features
    ]


def dumps(frames: list[Frame]) -> str:
    return "\n".join(f"{f.frame},{f.quality},{f.pdq},{f.seconds:g}" for f in frames)


def loads(text: str) -> list[Frame]:
    """Parse the stored form; a bad line is an error naming it."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(",")
        if len(parts) != 4 or len(parts[2]) != 64:
            raise ValueError(
                f"vPDQ line {n}: expected frame,quality,pdq_hex,seconds, got {line[:80]!r}"
            )
        int(parts[2], 16)
        out.append(Frame(int(parts[0]), int(parts[1]), parts[2].lower(), float(parts[3])))
    return out


def match(query: list[Frame], other: list[Frame], distance: int = DISTANCE) -> tuple[float, float]:
    """(share of the query's good frames found in ``other``, share of ``other``'s found in the
    query): Meta's vPDQ comparison on unique frame hashes of quality >= ``QUALITY_MIN``."""
    import numpy as np

    from .index import hex_to_words, popcount_distance

    q = sorted({f.pdq for f in query if f.quality >= QUALITY_MIN})
    o = sorted({f.pdq for f in other if f.quality >= QUALITY_MIN})
    if not q or not o:
        return 0.0, 0.0
    qw, ow = hex_to_words(q), hex_to_words(o)
    d = popcount_distance(qw[:, None, :], ow[None, :, :]) <= distance
    return float(np.any(d, axis=1).mean()), float(np.any(d, axis=0).mean())


def to_te_json(frames: list[Frame]) -> str:
    """python-threatexchange's vPDQ signal string: a JSON list of ``pdq_hex,quality,seconds``."""
    import json

    return json.dumps(
        [f"{f.pdq},{f.quality},{f.seconds:.3f}" for f in frames], separators=(",", ":")
    )


def from_te_json(text: str) -> list[Frame]:
    """Parse python-threatexchange's vPDQ signal string; ValueError names what is wrong."""
    import json

    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON list of frames ({exc.msg})") from None
    if not isinstance(items, list) or not items:
        raise ValueError("expected a non-empty JSON list of 'pdq_hex,quality,seconds' strings")
    out = []
    for i, item in enumerate(items):
        parts = str(item).split(",")
        try:
            pdq, quality, seconds = parts[0].lower(), int(parts[1]), float(parts[2])
            int(pdq, 16)
        except (ValueError, IndexError):
            raise ValueError(
                f"frame {i}: {str(item)[:80]!r} is not 'pdq_hex,quality,seconds'"
            ) from None
        if len(parts) != 3 or len(pdq) != 64 or not 0 <= quality <= 100 or seconds < 0:
            raise ValueError(f"frame {i}: {str(item)[:80]!r} is not 'pdq_hex,quality,seconds'")
        out.append(Frame(i, quality, pdq, seconds))
    return out
