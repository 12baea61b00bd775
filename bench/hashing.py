"""Image hashing: Counterspell's ``hash_file`` against python-threatexchange's PDQ, in one run.

    python bench/hashing.py

The files: the PDQ reference images (``../shared/fixtures/real/pdq``, when present) and generated
photo-like images of 0.3, 1, 3 and 12 megapixels as JPEG and PNG. Counterspell computes MD5,
SHA-256, PDQ with quality and provenance signals from one read; threatexchange's
``PdqSignal.hash_from_file`` computes the PDQ only. Prints images/s per size and format, the
ratio, the largest PDQ distance between the two, and for the reference images the largest
distance of each from the reference's expected hashes (quality >= 80; the reference's bar is 10).
The two differ above 512 px: Counterspell reduces such images to 512 px first, as the PDQ
reference does, and threatexchange hashes them at full size. Goal (issue): 2x.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from counterspell.matching.hashing import IMAGE_EXTENSIONS, hamming, hash_file  # noqa: E402

SIZES = {"0.3 MP": (640, 480), "1 MP": (1280, 800), "3 MP": (2000, 1500), "12 MP": (4000, 3000)}
REAL = Path(
    os.environ.get("COUNTERSPELL_REAL_FIXTURES", ROOT.parent / "shared" / "fixtures" / "real")
)


def photo(w: int, h: int, seed: int) -> np.ndarray:
    """Smooth shapes, gradients and mild noise: compresses and hashes like a photo, shows nobody."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), dtype=np.float32)
    for c in range(3):
        img[..., c] = 128 + 60 * np.sin(x / rng.uniform(40, 200) + c) * np.cos(
            y / rng.uniform(40, 200)
        )
    img += rng.normal(0, 6, (h, w, 3)).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def files(tmp: Path) -> dict[str, list[Path]]:
    from PIL import Image

    groups: dict[str, list[Path]] = {}
    for label, (w, h) in SIZES.items():
        for ext in ("jpg", "png"):
            paths = []
            for i in range(3 if w * h > 2_000_000 else 6):
                p = tmp / f"{label.replace(' ', '')}-{i}.{ext}"
                Image.fromarray(photo(w, h, i)).save(
                    p, quality=90
                ) if ext == "jpg" else Image.fromarray(photo(w, h, i)).save(p)
                paths.append(p)
            groups[f"{label} {ext.upper()}"] = paths
    ref = REAL / "pdq"
    if ref.exists():
        groups["PDQ reference images"] = sorted(
            p for p in ref.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS
        )
    return groups


def rate(fn: object, paths: list[Path], repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for p in paths:
            fn(p)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return len(paths) / best


def reference_distances(paths: list[Path]) -> tuple[str, str]:
    """Largest distance to the reference's expected hash (quality >= 80) for Counterspell and TE."""
    import csv

    from threatexchange.signal_type.pdq.signal import PdqSignal

    expected_csv = REAL / "pdq" / "expected-pdq-python-reference.csv"
    if not expected_csv.exists():
        return "-", "-"
    with open(expected_csv, newline="") as f:
        expected = {str(REAL / "pdq" / r["path"]): r["pdq_hex"] for r in csv.DictReader(f)}
    cs, te = [], []
    for p in paths:
        if str(p) in expected:
            h = hash_file(str(p))
            if h.pdq and (h.pdq_quality or 0) >= 80:
                cs.append(hamming(h.pdq, expected[str(p)]))
                te.append(hamming(PdqSignal.hash_from_file(p), expected[str(p)]))
    return (str(max(cs)), str(max(te))) if cs else ("-", "-")


def main() -> None:
    try:
        from threatexchange.signal_type.pdq.signal import PdqSignal
    except ImportError:
        sys.exit("needs threatexchange: pip install threatexchange faiss-cpu (make bench does)")
    print(
        f"Image hashing ({time.strftime('%Y-%m-%d')}); Counterspell = MD5 + SHA-256 + PDQ + provenance, threatexchange = PDQ"
    )
    print(
        f"{'files':>24} {'n':>4} {'counterspell/s':>15} {'threatexchange/s':>17} {'ratio':>6} {'max dist':>9} {'to ref: cs':>10} {'te':>4}"
    )
    with tempfile.TemporaryDirectory(prefix="cs-bench-hash-") as tmp:
        total_cs = total_te = 0.0
        for label, paths in files(Path(tmp)).items():
            cs = rate(lambda p: hash_file(str(p)), paths)
            te = rate(PdqSignal.hash_from_file, paths)
            pairs = [(hash_file(str(p)).pdq, PdqSignal.hash_from_file(p)) for p in paths]
            dists = [hamming(a, b) for a, b in pairs if a and b]
            dist = str(max(dists)) if dists else "-"
            total_cs += len(paths) / cs
            total_te += len(paths) / te
            ref_cs, ref_te = reference_distances(paths)
            print(
                f"{label:>24} {len(paths):>4} {cs:>15.1f} {te:>17.1f} {cs / te:>5.2f}x {dist:>9} {ref_cs:>10} {ref_te:>4}"
            )
        print(f"{'all (time-weighted)':>24} {'':>4} {'':>15} {'':>17} {total_te / total_cs:>5.2f}x")


if __name__ == "__main__":
    main()
