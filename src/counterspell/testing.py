"""Contract tests a plugin author reuses (the python-threatexchange idea): subclass, name your
adapter and a few files in its format, and pytest checks what every adapter promises.

    from counterspell.testing import AdapterContract

    class TestMyFormat(AdapterContract):
        adapter = MyAdapter
        fixtures = [Path("tests/fixtures/one.json"), Path("tests/fixtures/two.json")]

The promises: detection picks the adapter for its own files; every record has a
``platform:community:post_id`` uid on the adapter's platform and a UTC time; no file, however
truncated or damaged, makes ``read`` raise (a bad record is a ``Problem``, never an exception);
reading is deterministic; an optional ``read_bulk`` gives exactly what ``read`` gives; a file cut anywhere yields only records the whole file has (or one
``InputError`` naming the file when nothing of it is readable). Needs pytest (it is a test base, not a runtime dependency).
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from .adapters import ReadContext, detect
from .adapters.base import Adapter, Item, Notice
from .errors import InputError
from .models import Post, posts_to_table
from .textio import Problem

TRUNCATE_AT = (0.0, 0.01, 0.1, 0.33, 0.5, 0.9, 0.999)


def read_items(adapter: type[Adapter], path: Path) -> list[Item]:
    return list(adapter().read(str(path), ReadContext()))


def _read_or_input_error(adapter: type[Adapter], path: Path) -> list[Item]:
    """The items of a damaged file; an ``InputError`` (one line naming the file and place, when
    nothing of the file is readable, e.g. cut inside its header) is allowed, nothing else is."""
    items: list[Item] = []
    try:
        for item in adapter().read(str(path), ReadContext()):
            items.append(item)
    except InputError as exc:
        assert str(path) in str(exc), f"the error does not name the file: {exc}"
    return items


class AdapterContract:
    """Base class for pytest: set ``adapter`` and ``fixtures`` in a subclass named ``Test...``."""

    adapter: ClassVar[type[Adapter]]
    fixtures: ClassVar[list[Path]] = []
    any_platform: ClassVar[bool] = False  # a generic format whose records name their platform

    def _fixtures(self) -> list[Path]:
        present = [p for p in self.fixtures if p.exists()]
        assert present, f"{self.adapter.__name__}: no fixture files to check"
        return present

    def test_detection_picks_it(self) -> None:
        for path in self._fixtures():
            assert detect(str(path)).name == self.adapter.name, path

    def test_uids_platform_and_utc_times(self) -> None:
        for path in self._fixtures():
            posts = [i for i in read_items(self.adapter, path) if isinstance(i, Post)]
            assert posts, f"{path}: no posts"
            uids = [p.uid for p in posts]
            assert len(uids) == len(set(uids)), f"{path}: duplicate uids"
            for p in posts:
                assert p.uid == f"{p.platform}:{p.community}:{p.post_id}", p.uid
                if not self.any_platform:
                    assert p.platform == self.adapter.platform, p.uid
                assert p.created_at is None or p.created_at.utcoffset() == timedelta(0), p.uid
                assert p.source is not None and p.source.file == str(path), p.uid

    def test_items_are_posts_problems_or_notices(self) -> None:
        for path in self._fixtures():
            for item in read_items(self.adapter, path):
                assert isinstance(item, Post | Problem | Notice), type(item)

    def test_reading_is_deterministic(self) -> None:
        for path in self._fixtures():
            first = [i.uid for i in read_items(self.adapter, path) if isinstance(i, Post)]
            again = [i.uid for i in read_items(self.adapter, path) if isinstance(i, Post)]
            assert first == again, path

    def test_bulk_read_equals_read(self, tmp_path: Path) -> None:
        """An adapter's optional ``read_bulk`` gives what ``read`` gives, row for row, on whole
        files and on files cut short: the tables' rows, one table after another, are the posts
        ``read`` yields, in its order; when the tables stop early (an exception: ingest then
        runs ``read`` and skips the posts already given) they are the first of them."""
        ctx = ReadContext(run_id="contract", sha256="0" * 64)
        for path in self._fixtures():
            data = path.read_bytes()
            cut = tmp_path / path.name
            cut.write_bytes(data[: len(data) * 2 // 3])
            for file in (path, cut):
                bulk = self.adapter().read_bulk(str(file), ctx)
                if bulk is None:
                    continue
                rows: list[dict[str, object]] = []
                stopped = False
                try:
                    for _key, table in bulk.tables:
                        rows.extend(table.to_pylist())
                except Exception:
                    stopped = True
                posts: list[Post] = []
                others: list[Item] = []
                for item in self.adapter().read(str(file), ctx):
                    (posts if isinstance(item, Post) else others).append(item)  # type: ignore[arg-type]
                expected = posts_to_table(posts).to_pylist() if posts else []
                if stopped:
                    assert rows == expected[: len(rows)], file
                else:
                    assert bulk.notices == others, file
                    assert rows == expected, file

    def test_truncated_files_never_raise(self, tmp_path: Path) -> None:
        for path in self._fixtures():
            data = path.read_bytes()
            whole = {i.uid for i in read_items(self.adapter, path) if isinstance(i, Post)}
            for share in TRUNCATE_AT:
                cut = tmp_path / f"cut-{int(share * 1000)}-{path.name}"
                cut.write_bytes(data[: int(len(data) * share)])
                items = _read_or_input_error(self.adapter, cut)
                got = {i.uid for i in items if isinstance(i, Post)}
                # what survives a cut is a subset of what the whole file gives (nothing invented)
                assert {u.split(":", 2)[2] for u in got} <= {u.split(":", 2)[2] for u in whole}, cut
            copy = tmp_path / f"garbage-{path.name}"
            shutil.copyfile(path, copy)
            with open(copy, "r+b") as f:
                f.seek(len(data) // 2)
                f.write(b'\x00\xff{["\\')
            _read_or_input_error(self.adapter, copy)  # damaged: problems, not exceptions

    def test_fuzzed_files_never_raise(self) -> None:
        """Hypothesis mutates the smallest fixture (cuts, flipped and inserted bytes, deleted
        and repeated spans, invalid UTF-8, NUL): reading never raises past an ``InputError``
        naming the file, only well-formed posts come out, and reading is deterministic."""
        import tempfile

        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        source = min(self._fixtures(), key=lambda p: p.stat().st_size)
        data = source.read_bytes()[:FUZZ_MAX_BYTES]
        folder = Path(tempfile.mkdtemp(prefix="cs-fuzz-"))
        op = st.tuples(
            st.sampled_from(("cut", "flip", "insert", "delete", "repeat")),
            st.integers(0, max(0, len(data) - 1)),
            st.binary(min_size=1, max_size=24),
            st.integers(1, 400),
        )

        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
        @given(st.lists(op, min_size=1, max_size=4))
        def check(ops: list[tuple[str, int, bytes, int]]) -> None:
            damaged = mutate(data, ops)
            path = folder / f"fuzz{source.suffix}"
            path.write_bytes(damaged)
            first = _read_or_input_error(self.adapter, path)
            for item in first:
                assert isinstance(item, Post | Problem | Notice), type(item)
                if isinstance(item, Post):
                    assert item.uid == f"{item.platform}:{item.community}:{item.post_id}"
                    assert item.created_at is None or item.created_at.utcoffset() == timedelta(0)
            again = _read_or_input_error(self.adapter, path)
            assert [i.uid for i in first if isinstance(i, Post)] == [
                i.uid for i in again if isinstance(i, Post)
            ]

        try:
            check()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


FUZZ_EXAMPLES = 60  # per adapter: a bounded run in CI (seconds), derandomized so it is repeatable
FUZZ_MAX_BYTES = 64 * 1024


def mutate(data: bytes, ops: list[tuple[str, int, bytes, int]]) -> bytes:
    """Apply fuzzing operations to a file's bytes (positions wrap to the current length)."""
    out = bytearray(data)
    for kind, pos, blob, span in ops:
        at = pos % (len(out) + 1)
        if kind == "cut":
            del out[at:]
        elif kind == "flip" and out:
            out[at % len(out)] ^= blob[0] or 0xFF
        elif kind == "insert":
            out[at:at] = blob
        elif kind == "delete":
            del out[at : at + span]
        elif kind == "repeat":
            out[at:at] = out[at : at + span]
    return bytes(out)


__all__ = ["AdapterContract", "mutate", "read_items"]
