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
