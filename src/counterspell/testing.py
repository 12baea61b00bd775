"""Contract tests a plugin author reuses (the python-threatexchange idea): subclass, name your
adapter and a few files in its format, and pytest checks what every adapter promises.

    from counterspell.testing import AdapterContract

    class TestMyFormat(AdapterContract):
        adapter = MyAdapter
        fixtures = [Path("tests/fixtures/one.json"), Path("tests/fixtures/two.json")]

The promises: detection picks the adapter for its own files; every record has a
``platform:community:post_id`` uid on the adapter's platform and a UTC time; no file, however
truncated or damaged, makes ``read`` raise (a bad record is a ``Problem``, never an exception);
reading is deterministic; a file cut anywhere yields only records the whole file has (or one
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
from .models import Post
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


__all__ = ["AdapterContract", "read_items"]
