"""Media hashing against the PDQ reference, dihedral matching, and hostile images."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from counterspell.matching.hashing import dihedral_hashes, hamming, hash_file
from tests.clizygote import run_cli
from tests.conftest import real

CliRunner = Callable[..., subprocess.CompletedProcess[str]]

# Distances of a plain pdqhash call on a Pillow RGB array, measured 2026-11-29: never do worse than
# this, and meet the reference's own bar (<= 10 for quality >= 80), which the plain call misses at
# 12 twice. The difference was the input size: the reference's Python hasher first reduces an image
# to 512 px with Pillow's thumbnail (as its C++ one resizes to 512); hash_file does the same and
# measures 0 for every image here.
PLAIN_CALL = {
    "misc-images/c.png": 6, "misc-images/wee.jpg": 0, "reg-test-input/labelme-subset/q0122.jpg": 0,
    "reg-test-input/labelme-subset/q0291.jpg": 0, "reg-test-input/labelme-subset/q0746.jpg": 0,
    "reg-test-input/labelme-subset/q1050.jpg": 0, "reg-test-input/labelme-subset/q2821.jpg": 0,
    "reg-test-input/dih/bridge-1-original.jpg": 6, "reg-test-input/dih/bridge-2-rotate-90.jpg": 10,
    "reg-test-input/dih/bridge-3-rotate-180.jpg": 12, "reg-test-input/dih/bridge-4-rotate-270.jpg": 4,
    "reg-test-input/dih/bridge-5-flipx.jpg": 4, "reg-test-input/dih/bridge-6-flipy.jpg": 10,
    "reg-test-input/dih/bridge-7-flip-plus-1.jpg": 6, "reg-test-input/dih/bridge-8-flip-minus-1.jpg": 12,
}  # fmt: skip


def test_agreement_with_the_pdq_reference_per_image() -> None:
    base = real("pdq")
    with open(base / "expected-pdq-python-reference.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    checked = 0
    for row in rows:
        h = hash_file(str(base / row["path"]))
        assert h.error is None and h.pdq is not None, row["path"]
        if h.pdq_quality is not None and h.pdq_quality >= 80:
            d = hamming(h.pdq, row["pdq_hex"])
            assert d <= min(10, PLAIN_CALL[row["path"]]), (
                f"{row['path']}: distance {d}, plain call {PLAIN_CALL[row['path']]}"
            )
            checked += 1
    assert checked == len(PLAIN_CALL)


def test_all_eight_dihedral_variants_are_found_from_the_original() -> None:
    dih = real("pdq/reg-test-input/dih")
    original = dihedral_hashes(str(dih / "bridge-1-original.jpg"))
    for variant in sorted(dih.glob("bridge-*.jpg")):
        h = hash_file(str(variant)).pdq
        assert h is not None and min(hamming(h, o) for o in original) <= 31, variant.name


def _png(mode: str, size: tuple[int, int] = (64, 48)) -> bytes:
    rng = np.random.default_rng(1)
    base = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    buf = io.BytesIO()
    img = (
        base.convert(mode)
        if mode != "I;16"
        else Image.fromarray(np.asarray(base.convert("L"), dtype=np.uint16) * 200)
    )
    img.save(buf, format="TIFF" if mode in ("CMYK", "I;16") else "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L", "LA", "CMYK", "I;16", "1"])
def test_every_pillow_mode_hashes(tmp_path: Path, mode: str) -> None:
    ext = ".tif" if mode in ("CMYK", "I;16") else ".png"
    f = tmp_path / f"img{ext}"
    data = _png(mode)
    f.write_bytes(data)
    h = hash_file(str(f))
    assert h.error is None and h.pdq is not None and len(h.pdq) == 64
    assert h.md5 == hashlib.md5(data).hexdigest() and h.sha256 == hashlib.sha256(data).hexdigest()


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    upright = Image.fromarray(rng.integers(0, 255, (40, 80, 3), dtype=np.uint8))
    stored = upright.transpose(
        Image.Transpose.ROTATE_90
    )  # what a camera writes, with a tag to undo it
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "rot.jpg", exif=exif, quality=95)
    upright.save(tmp_path / "up.jpg", quality=95)
    a, b = hash_file(str(tmp_path / "rot.jpg")).pdq, hash_file(str(tmp_path / "up.jpg")).pdq
    assert a and b and hamming(a, b) <= 31


def test_animated_gif_uses_first_frame_and_bad_files_report_errors(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (32, 32), c) for c in ((250, 0, 0), (0, 0, 250))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    assert hash_file(str(tmp_path / "a.gif")).error is None
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    bad = hash_file(str(tmp_path / "broken.jpg"))
    assert (
        bad.md5 is not None
        and bad.pdq is None
        and bad.error
        and "not a readable image" in bad.error
    )
    assert hash_file(str(tmp_path / "missing.png")).error.startswith("cannot read")  # type: ignore[union-attr]


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    Image.new("1", (10_000, 10_000)).save(tmp_path / "bomb.png")  # 100 Mpx, a few KB on disk
    h = hash_file(str(tmp_path / "bomb.png"))
    assert h.pdq is None and h.error is not None and h.md5 is not None


def test_hash_command_formats(tmp_path: Path, cli: CliRunner) -> None:
    f = tmp_path / "x.png"
    f.write_bytes(_png("RGB"))
    jl = cli("hash", str(f), "--format", "jsonl", check=True).stdout
    assert '"pdq":' in jl and '"pdq_quality":' in jl and '"error":null' in jl
    assert cli("hash", str(f), "--format", "csv", check=True).stdout.startswith(
        "path,md5,sha256,pdq,pdq_quality,error,provenance,vpdq,skipped"
    )
    assert "dihedral 7" in cli("hash", str(f), "--dihedral", check=True).stdout
    assert cli("hash", str(tmp_path / "nope.png")).returncode == 1


def test_hash_media_stage_finds_cross_platform_reposts_and_is_incremental(tmp_path: Path) -> None:
    import duckdb

    from counterspell import Workspace, ingest
    from counterspell.pipeline.hash_media import hash_media
    from counterspell.synth import generate

    generate(tmp_path / "c", posts=2500, seed=12)
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(tmp_path / "c")])
    first = hash_media(ws)
    assert first.items > 0 and first.files_hashed > 0 and first.errors == 0
    again = hash_media(ws)
    assert again.items == 0 and again.skipped == first.items
    glob = ws.dataset_glob("media")
    [(shared,)] = duckdb.execute(
        f"""WITH m AS (SELECT platform, coalesce(md5, reported_md5) AS md5 FROM '{glob}')
            SELECT count(DISTINCT a.md5) FROM m a JOIN m b ON a.md5 = b.md5 AND a.platform = '4chan' AND b.platform <> '4chan'"""
    ).fetchall()
    assert shared > 0  # the same picture on 4chan and on Telegram/Discord
    [(with_pdq, files)] = duckdb.execute(f"SELECT count(pdq), count(path) FROM '{glob}'").fetchall()
    assert with_pdq == files > 0
    # bytes are hashed in place, never copied into the workspace
    assert not list((tmp_path / "ws").rglob("*.png"))


def test_a_large_community_is_hashed_in_shards_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shards of a community (by file path) give the rows one task gives, each file hashed once,
    and the largest tasks go first."""
    import duckdb

    from counterspell import Workspace, ingest
    from counterspell.executors import LocalExecutor
    from counterspell.lake.query import communities
    from counterspell.pipeline import hash_media as H
    from counterspell.synth import generate

    generate(tmp_path / "c", posts=1500, seed=5)
    monkeypatch.setattr(H, "SHARD_MIN_ITEMS", 50)
    rows, results = [], []
    for name, workers in (("one", 1), ("sharded", 3)):
        ws = Workspace.init(tmp_path / name)
        ingest(ws, [str(tmp_path / "c")])
        parts = [(str(p), str(c), int(k)) for p, c, k in communities(ws, "len(media) > 0")]
        tasks = H._tasks(ws, parts, "run", workers)
        if workers > 1:
            assert {t[5] for t in tasks if t[1] == "4chan"} == {3}  # the board in three shards
            sizes = [dict(((p, c), k) for p, c, k in parts)[t[1], t[2]] / t[5] for t in tasks]
            assert sizes == sorted(sizes, reverse=True)
        # the shards run one after another here: what is compared is their split, not processes
        results.append(H.hash_media(ws, workers=workers, executor=LocalExecutor(1)))
        glob = ws.dataset_glob("media")
        sql = f"SELECT * EXCLUDE (hashed_at) FROM read_parquet('{glob}', hive_partitioning = false)"
        rows.append(sorted(duckdb.execute(sql).fetchall(), key=repr))
    assert rows[0] == rows[1] and rows[0]
    assert (results[0].items, results[0].files_hashed) == (
        results[1].items,
        results[1].files_hashed,
    )


def test_hash_media_says_why_files_failed(tmp_path: Path) -> None:

    from counterspell.synth import generate

    generate(tmp_path / "c", posts=600, seed=13)
    pictures = sorted((tmp_path / "c").rglob("*.png"))
    assert len(pictures) >= 7
    for p in pictures[:7]:
        p.write_bytes(b"not a picture")  # the posts still name them

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("-w", str(tmp_path / "ws"), *args, cwd=tmp_path)

    run("init", str(tmp_path / "ws"))
    assert run("ingest", str(tmp_path / "c")).returncode == 0
    proc = run("hash-media")
    err = proc.stderr
    assert proc.returncode == 0, err
    assert err.count("cannot hash") == 5 and "not a readable image" in err
    assert "more: every reason is in the 'error' column" in err
    said = " ".join((proc.stdout + err).split())  # the console may wrap the line
    found = re.search(r"([\d,]+) files hashed, ([\d,]+) errors", said)
    assert found and int(found[1].replace(",", "")) == len(pictures) - 7  # failed: not hashed
    exported = run("export", "media", "--format", "jsonl", "-o", str(tmp_path / "m.jsonl"))
    assert exported.returncode == 0, exported.stderr
    lines = (tmp_path / "m.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum('"not a readable image' in line for line in lines) >= 7
