"""Abstract, non-graphic stand-in images for the synthetic corpus (colour fields and shapes).

They exist so that hashing and cross-platform matching have real bytes to work on: the same
pattern reposted on another platform has the same MD5; a lightly altered copy (noise, a shifted
colour) has a different MD5 but a near-identical perceptual hash.
"""

from __future__ import annotations

import functools
import struct
import zlib

import numpy as np


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def encode_png(pixels: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 array as an RGB PNG."""
    h, w, _ = pixels.shape
    raw = np.zeros((h, w * 3 + 1), dtype=np.uint8)  # filter byte 0 on every row
    raw[:, 1:] = pixels.reshape(h, w * 3)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 1))
        + _chunk(b"IEND", b"")
    )


@functools.lru_cache(maxsize=4)
def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    return yy, xx


def pattern(seed: int, size: int = 96) -> np.ndarray:
    """A deterministic abstract picture: a two-colour gradient with a few discs and bars."""
    rng = np.random.default_rng(seed)
    yy, xx = _grid(size)
    c1, c2 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    angle = rng.uniform(0, np.pi)
    t = (np.cos(angle) * xx + np.sin(angle) * yy + 1) / 2
    img = (c1[None, None, :] * (1 - t[..., None]) + c2[None, None, :] * t[..., None]).astype(
        np.float32
    )
    for _ in range(int(rng.integers(2, 6))):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.3)
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        img[mask] = rng.integers(0, 256, 3)
    for _ in range(int(rng.integers(0, 3))):
        y0 = int(rng.integers(0, size - 8))
        img[y0 : y0 + int(rng.integers(3, 12)), :] = rng.integers(0, 256, 3)
    out: np.ndarray = img.clip(0, 255).astype(np.uint8)
    return out


def variant(pixels: np.ndarray, seed: int) -> np.ndarray:
    """A re-encoded-looking copy: mild noise and a small brightness shift."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 3, pixels.shape) + rng.uniform(-6, 6)
    return (pixels.astype(np.float32) + noise).clip(0, 255).astype(np.uint8)
