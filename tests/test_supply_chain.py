"""The lock `make` installs from agrees with pyproject's floors, which sit at fixed versions."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import REPO

MAKE_EXTRAS = ("dev", "ml", "web", "postgres", "c2pa", "exchange")  # what `make install` installs


def _lock() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = Version(m.group(2))
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in MAKE_EXTRAS:
        reqs.extend(
            Requirement(r)
            for r in project["optional-dependencies"][extra]
            if not r.startswith("counterspell")
        )
    return reqs


def test_every_dependency_make_installs_is_pinned_within_its_floor() -> None:
    pins = _lock()
    for req in _requirements():
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"requirements.lock does not pin {name}: run 'make lock'"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name} {pins[name]}, pyproject wants {req.specifier}"
        )


def test_security_floors_are_at_fixed_versions() -> None:
    floors = {r.name.lower(): r.specifier for r in _requirements()}
    # the versions that fixed the advisories named beside them in pyproject.toml
    for name, fixed in {"starlette": "0.49.1", "python-multipart": "0.0.18", "jinja2": "3.1.6",
                        "pillow": "11.3.0"}.items():  # fmt: skip
        lowest = min((Version(s.version) for s in floors[name] if s.operator == ">="), default=None)
        assert lowest is not None and lowest >= Version(fixed), (name, floors[name])
