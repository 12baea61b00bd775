"""``make audit``: known vulnerabilities in the pinned dependencies (requirements.lock).

pip-audit asks a vulnerability database over the network. Where it cannot reach one it reports
every package as "not found" and then "No known vulnerabilities found", which reads like a clean
bill of health; this wrapper says plainly that nothing was checked instead (exit 2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def main() -> int:
    proc = subprocess.run(
        [sys.executable, "-m", "pip_audit", "-r", str(LOCK), "--no-deps", "--disable-pip",
         "--progress-spinner", "off", "-f", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(proc.stderr.strip() or "pip-audit gave no report", file=sys.stderr)
        return 2
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    if deps and len(skipped) == len(deps):
        print(
            f"the vulnerability database could not be reached from here: none of the {len(deps)} "
            "pinned packages was checked. Run 'make audit' where PyPI is reachable.",
            file=sys.stderr,
        )
        return 2
    found = [(d["name"], d["version"], v["id"], v.get("fix_versions", []))
             for d in deps for v in d.get("vulns", [])]  # fmt: skip
    for name, version, vid, fixes in found:
        print(f"{name} {version}: {vid} (fixed in {', '.join(fixes) or 'no release yet'})")
    print(
        f"{len(deps) - len(skipped)} packages checked, {len(skipped)} not found, "
        f"{len(found)} known vulnerabilities"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
