"""Hashes of media files: MD5 and SHA-256 of the bytes, PDQ and its quality for images (vPDQ for
videos: :mod:`counterspell.matching.video`).

This is what a victim or a helpline runs (``counterspell hash``): it works offline, reads each file
once, and keeps nothing but the hashes. Images are decoded with Pillow, EXIF orientation applied,
every mode converted to RGB (palette, CMYK, 16-bit, alpha flattened on white, animated: first
frame); decompression bombs and absurd dimensions are refused with a reason instead of hashed.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from . import video

MAX_FILE_BYTES = 512 * 1024 * 1024
IN_MEMORY_BYTES = 64 * 1024 * 1024  # files up to this size are read into memory once
MAX_PIXELS = 64_000_000  # ~8000 x 8000; bigger is refused as a likely decompression bomb
PDQ_INPUT_SIDE = 512  # larger images are reduced to fit first, as the PDQ reference does
THREADED_DIGEST_BYTES = 512 * 1024  # from this size, MD5/SHA-256 run beside the decode
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".jfif"}


@dataclass(slots=True)
class FileHashes:
    path: str
    md5: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    error: str | None = None
    provenance: list[dict[str, Any]] | None = None  # see counterspell.matching.provenance
    vpdq: str | None = None  # videos: see counterspell.matching.video
    skipped: str | None = None  # why a hash this kind of file should have is missing

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rgb_pixels(path: str | io.BytesIO, meta: dict[str, Any] | None = None) -> np.ndarray:
    """RGB pixels of an image; with ``meta``, also Pillow's ``info`` and EXIF (for provenance),
    so that one decode serves both."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as opened:
            if meta is not None:
                meta["exif"] = opened.getexif()
            if opened.width * opened.height > MAX_PIXELS:
                raise ValueError(
                    f"{opened.width}x{opened.height} pixels is over the {MAX_PIXELS:,} limit"
                )
            opened.seek(0)  # animated images: the first frame
            if max(opened.size) > PDQ_INPUT_SIDE:
                # As the PDQ reference does (its Python hasher calls Pillow's thumbnail): JPEG
                # draft decoding and a reduction to 512 px; hashes then agree with the reference's
                # exactly, and a 12 MP photo decodes in a fraction of the time.
                opened.thumbnail((PDQ_INPUT_SIDE, PDQ_INPUT_SIDE))
            im: Image.Image = ImageOps.exif_transpose(opened) or opened
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                rgba = im.convert("RGBA")
                background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                im = Image.alpha_composite(background, rgba)
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                arr = np.asarray(im, dtype=np.float64)
                top = arr.max() or 1.0
                im = Image.fromarray((arr * (255.0 / top)).astype(np.uint8))
            pixels = np.asarray(im if im.mode == "RGB" else im.convert("RGB"))
            if meta is not None:
                meta["info"] = dict(
                    opened.info
                )  # after decoding: PNG text chunks past the pixels too
            return pixels


def pdq_of_pixels(pixels: np.ndarray) -> tuple[str, int]:
    import pdqhash

    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return bits_to_hex(bits), int(quality)


def bits_to_hex(bits: np.ndarray) -> str:
    """pdqhash's 256 bits (most significant first) as the 64 hex digits the reference prints."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8))
    return packed.tobytes().hex()


def dihedral_hashes(path: str) -> list[str]:
    """The PDQ hashes of all eight rotations and flips of an image (for ``--dihedral``)."""
    import pdqhash

    hashes, _ = pdqhash.compute_dihedral(np.ascontiguousarray(_rgb_pixels(path)))
    return [bits_to_hex(h) for h in hashes]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def hash_file(path: str, pdq: bool = True) -> FileHashes:
    """Hashes of one file; problems are reported in ``error``, never raised."""
    out = FileHashes(path=path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            out.error = f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit"
            return out
        kind = media_kind(path) if pdq else None
        md5, sha = hashlib.md5(), hashlib.sha256()
        data: bytes | None = None
        digesting: threading.Thread | None = None
        with open(path, "rb") as f:
            if size <= IN_MEMORY_BYTES:  # read once: the decoder and provenance reuse the bytes
                data = f.read()
                if kind == "image" and len(data) >= THREADED_DIGEST_BYTES:
                    # hashlib releases the GIL on large buffers: digest while the image decodes
                    digesting = threading.Thread(target=_digest, args=(data, md5, sha))
                    digesting.start()
                else:
                    _digest(data, md5, sha)
            else:
                while chunk := f.read(1 << 20):
                    md5.update(chunk)
                    sha.update(chunk)
    except OSError as exc:
        out.error = f"cannot read: {exc.strerror or exc}"
        return out
    try:
        _perceptual(out, path, data, kind)
    finally:
        if digesting is not None:
            digesting.join()
        out.md5, out.sha256 = md5.hexdigest(), sha.hexdigest()
    return out


def media_kind(path: str) -> str | None:
    """``image`` or ``video`` by the file's extension (what gets a perceptual hash), else None."""
    ext = os.path.splitext(path)[1].lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    return "video" if ext in video.VIDEO_EXTENSIONS else None


def _digest(data: bytes, md5: Any, sha: Any) -> None:
    md5.update(data)
    sha.update(data)


def _perceptual(out: FileHashes, path: str, data: bytes | None, kind: str | None) -> None:
    """PDQ and provenance of an image, or vPDQ of a video, into ``out``."""
    if kind == "image":
        meta: dict[str, Any] = {}
        try:
            pixels = _rgb_pixels(io.BytesIO(data) if data is not None else path, meta)
            out.pdq, out.pdq_quality = pdq_of_pixels(pixels)
        except Exception as exc:  # any decoder failure is a per-file error, not a crash
            out.error = f"not a readable image: {type(exc).__name__}: {exc}"
        else:
            from .provenance import signals_from

            head = data[: 1 << 20] if data is not None else None
            out.provenance = signals_from(meta["info"], meta["exif"], path, head) or None
    elif kind == "video":
        out.skipped = video.available()
        if out.skipped is None:
            try:
                out.vpdq = video.dumps(video.compute(path))
            except Exception as exc:  # a video vpdq cannot decode is a per-file error
                out.error = f"not a readable video: {type(exc).__name__}: {exc}"
