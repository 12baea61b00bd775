"""How a reader tells that the lake changed: a fingerprint of every Parquet file in it.

Every writer of the lake ends by making a file appear or by swapping one in (an ``os.replace``
of a part, a renamed dataset folder; on an object store a completed upload or a server-side
copy), and each of those changes a file's path, size or modification time (its ETag on an
object store). So the fingerprint of the lake's listing changes whenever what a reader would
see changes, whichever command wrote it (ingest, analyze, network, match, a rebuilt dataset),
with no counter that a writer could forget to bump. Hidden and underscore folders (builds in
progress, the manifest, spill space) are not part of what readers see, so they are left out.
"""

from __future__ import annotations

import hashlib
import os

from .workspace import Workspace


def lake_version(ws: Workspace) -> str:
    """A short digest that changes whenever a Parquet file of the lake appears, goes or is
    rewritten. Locally one ``scandir`` per folder and one ``stat`` per file; on an object store
    one listing."""
    h = hashlib.blake2b(digest_size=16)
    if ws.lake.is_local:
        for path, stamp in _local_files(str(ws.lake.local)):
            h.update(f"{path}\0{stamp}\n".encode())
    else:
        for path, sig in ws.lake.signatures("**/*.parquet"):
            if not any(part.startswith((".", "_")) for part in path.split("/")[3:]):
                h.update(f"{path}\0{sig}\n".encode())
    return h.hexdigest()


def _local_files(root: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):  # swapped away while we looked
            continue
        for e in entries:
            if e.name.startswith((".", "_")):
                continue
            if e.is_dir(follow_symlinks=False):
                stack.append(e.path)
            elif e.name.endswith(".parquet"):
                try:
                    st = e.stat()
                except FileNotFoundError:
                    continue
                out.append((e.path, f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"))
    out.sort()
    return out
