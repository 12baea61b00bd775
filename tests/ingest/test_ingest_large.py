"""A 1 GB input: memory must stay flat (streamed, bounded buffers), and nothing is lost."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from counterspell.lake.query import posts_relation_sql
from counterspell.lake.workspace import Workspace

GIB = 1024**3


@pytest.mark.slow
def test_one_gigabyte_telegram_export_ingests_in_flat_memory(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    if free < 4 * GIB:
        pytest.skip(
            f"needs 4 GiB of free disk for a 1 GiB input and its lake; {free / GIB:.1f} GiB free"
        )
    path = tmp_path / "export" / "result.json"
    path.parent.mkdir()
    text = "long message with lots of words " * 128  # 4 KiB a message
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n "name": "Big", "type": "private_supergroup", "id": 99,\n "messages": [')
        size = 0
        while size < GIB:
            n += 1
            m = {
                "id": n,
                "type": "message",
                "date_unixtime": str(1700000000 + n),
                "from": "A",
                "from_id": f"user{n % 50}",
                "text": text,
            }
            chunk = ("\n" if n == 1 else ",\n") + json.dumps(m, indent=1)
            f.write(chunk)
            size += len(chunk)
        f.write("\n ]\n}\n")
    assert path.stat().st_size >= GIB

    ws = Workspace.init(tmp_path / "ws")
    # bench/peak.py reports the command's own peak (VmHWM), not pages inherited through fork
    peak_script = Path(__file__).resolve().parents[2] / "bench" / "peak.py"
    proc = subprocess.run(
        [sys.executable, str(peak_script), "-w", str(ws.root), "ingest", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    peak_mb = next(
        float(ln.split()[1]) for ln in proc.stderr.splitlines() if ln.startswith("PEAK_MB")
    )
    size_mb = path.stat().st_size / 2**20
    assert peak_mb * 2**20 < GIB, f"peak memory {peak_mb:.0f} MiB for a {size_mb:.0f} MiB input"
    [(count, distinct)] = duckdb.execute(
        f"SELECT count(*), count(DISTINCT uid) FROM {posts_relation_sql(ws)}"
    ).fetchall()
    assert count == distinct == n
