"""The report's sections, in the order they appear (one module each, a function from the
scoped lake to a section)."""

from . import (
    activity,
    data,
    distribution,
    fulfilment,
    methods,
    minors,
    plan,
    rewards,
    targets,
    tools,
)

SECTIONS = (
    data,
    activity,
    fulfilment,
    rewards,
    targets,
    minors,
    distribution,
    tools,
    plan,
    methods,
)

__all__ = ["SECTIONS"]
