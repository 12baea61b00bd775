"""Run ``python -m counterspell ARGS...`` and report its own peak memory (VmHWM) on stderr.

``ru_maxrss`` of a child started with fork+exec can include the parent's pages from before the
exec, so a benchmark that parsed a large file first would blame ingest for it. VmHWM is per
address space and starts fresh at exec.
"""

from __future__ import annotations

import runpy
import sys


def vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    sys.argv = ["counterspell", *sys.argv[1:]]
    try:
        runpy.run_module("counterspell", run_name="__main__")
    finally:
        print(f"PEAK_MB {vm_hwm_mb():.1f}", file=sys.stderr)
