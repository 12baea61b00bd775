"""vPDQ of videos: computed where vpdq runs, matched across re-encodes, skipped with a reason
where it cannot run. The videos are FFmpeg's synthetic test pattern, made here."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from counterspell.matching import video
from counterspell.matching.hashing import hash_file


def _needs_vpdq() -> None:
    missing = video.available() or (None if shutil.which("ffmpeg") else "ffmpeg is not installed")
    if missing:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"vPDQ is required in CI: {missing}")
        pytest.skip(missing)


def _video(path: Path, size: str, seconds: int = 6, pattern: str = "testsrc2") -> Path:
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"{pattern}=size={size}:rate=10",
         "-t", str(seconds), "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_vpdq_matches_a_reencoded_copy_and_not_another_video(tmp_path: Path) -> None:
    _needs_vpdq()
    original = hash_file(str(_video(tmp_path / "a.mp4", "320x240")))
    assert original.error is None and original.skipped is None and original.vpdq
    frames = video.loads(original.vpdq)
    assert 5 <= len(frames) <= 7 and all(len(f.pdq) == 64 for f in frames)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(tmp_path / "a.mp4"), "-vf", "scale=160:120",
         "-b:v", "200k", str(tmp_path / "b.webm")],
        check=True,
    )  # fmt: skip
    copy = hash_file(str(tmp_path / "b.webm"))  # re-encoded smaller, with another codec
    other = hash_file(str(_video(tmp_path / "c.mp4", "320x240", pattern="mandelbrot")))
    q, c = video.match(frames, video.loads(copy.vpdq or ""))
    assert q >= 0.8 and c >= 0.8
    q, c = video.match(frames, video.loads(other.vpdq or ""))
    assert q < 0.5 and c < 0.5
    assert original.md5 != copy.md5  # only the perceptual hash sees they are the same


def test_a_broken_video_is_an_error_not_a_crash(tmp_path: Path) -> None:
    _needs_vpdq()
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    h = hash_file(str(bad))
    assert h.md5 and h.vpdq is None and h.error and "video" in h.error


def test_without_vpdq_the_reason_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(video, "available", lambda: "vpdq is not installed (test)")
    f = tmp_path / "clip.mp4"
    f.write_bytes(b"not really a video")
    h = hash_file(str(f))
    assert (
        h.md5 and h.error is None and h.vpdq is None and h.skipped == "vpdq is not installed (test)"
    )


def test_stored_form_round_trips_and_bad_lines_are_named() -> None:
    frames = [video.Frame(0, 100, "f" * 64, 0.0), video.Frame(10, 80, "0" * 64, 1.0)]
    assert video.loads(video.dumps(frames)) == frames
    with pytest.raises(ValueError, match="line 3"):
        video.loads(video.dumps(frames) + "\n1,2,3")


def test_a_bank_video_matches_its_reencoded_repost_in_the_lake(tmp_path: Path) -> None:
    """A helpline's vPDQ (python-threatexchange's format) finds the re-encoded repost; other
    videos and the bank's bad lines do not pass."""
    _needs_vpdq()
    import duckdb
    import orjson

    from counterspell import Workspace, ingest
    from counterspell.errors import InputError
    from counterspell.matching import banks as B
    from counterspell.matching.match import match
    from counterspell.pipeline.hash_media import hash_media

    original = _video(tmp_path / "original.mp4", "320x240")
    export = tmp_path / "export"
    export.mkdir()
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(original), "-vf", "scale=200:150",
         str(export / "repost.webm")],
        check=True,
    )  # fmt: skip
    _video(export / "other.mp4", "320x240", pattern="mandelbrot")
    posts = [
        {"community": "c", "post_id": str(i), "created_at": 1_767_225_600 + i, "text": "clip",
         "media": [{"name": name, "path": str(export / name)}]}
        for i, name in enumerate(["repost.webm", "other.mp4"])
    ]  # fmt: skip
    (export / "posts.jsonl").write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in posts))
    ws = Workspace.init(tmp_path / "ws")
    ingest(ws, [str(export / "posts.jsonl")], fmt="jsonl")
    hash_media(ws)
    signal = video.to_te_json(video.loads(hash_file(str(original)).vpdq or ""))
    (tmp_path / "bank.txt").write_text(f"vpdq {signal}\n", encoding="utf-8")
    B.create_bank(ws, "videos")
    assert B.import_hashes(ws, "videos", tmp_path / "bank.txt").added == 1
    r = match(ws, "videos")
    assert r.matched_items == 1
    (row,) = duckdb.execute(
        f"SELECT uid, signal_type, distance, match_percent FROM read_parquet('{ws.dataset_glob('matches')}')"
    ).fetchall()
    assert row[0] == "jsonl:c:0" and row[1] == "vpdq" and row[2] is None and row[3] >= 80
    exported = tmp_path / "exported.txt"
    B.export_bank(ws, "videos", "te", str(exported))
    assert exported.read_text(encoding="utf-8").strip() == f"vpdq {signal}"
    (tmp_path / "bad.txt").write_text('vpdq ["0123,100,0.0"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        B.import_hashes(ws, "videos", tmp_path / "bad.txt")
