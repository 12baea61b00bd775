"""How ``--help`` names arguments and on/off flags.

Typer 0.2x prints a type after every option (``--strict <bool>``, where ``--strict`` takes no
value) and wraps required arguments in braces in the usage line (``{paths}...``), which reads as
if braces were to be typed. Help follows the convention users know from ``git`` and ``pip``
instead: ``ingest [OPTIONS] PATHS...``, flags without a type. This module adjusts Typer's two
display hooks once, at import; ``tests/cli/test_help.py`` pins the result, so an upgrade that
renames the hooks fails there rather than silently bringing the old text back.
"""

from __future__ import annotations

from typing import Any

from typer import core

_option_type = getattr(core.TyperOption, "display_type_rich", None)


def _usage_name(self: Any) -> str:
    name = str(self.metavar or self.name or "").upper()
    if self.nargs != 1:
        name += "..."
    return name if self.required else f"[{name}]"


def _flag_without_type(self: Any, ctx: Any) -> str | None:
    if getattr(self, "is_flag", False) or _option_type is None:
        return None
    result: str | None = _option_type(self, ctx)
    return result


def _argument_without_type(self: Any, ctx: Any) -> str | None:
    return None  # the argument's help says what it is; "<list[str]>" says nothing more


def install() -> None:
    if hasattr(core.TyperArgument, "_usage_display_name"):
        core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
    if hasattr(core.TyperArgument, "display_type_rich"):
        core.TyperArgument.display_type_rich = _argument_without_type  # type: ignore[method-assign]
    if _option_type is not None:
        core.TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]
