"""The ``counterspell`` command: a thin Typer layer over the library.

Each command parses flags, calls one library function and renders the result; errors a user can
cause arrive as :class:`~counterspell.errors.CounterspellError` and become one red line and exit
code 2 (no traceback). Every command module registers itself on the one app when imported here.
"""

from __future__ import annotations

import os
import sys

from ..errors import CounterspellError
from .common import app, console, esc, fit_width

# Every command module registers its commands on the one app when imported; this order is the
# order of `counterspell --help`.
# isort: off
from . import workspace  # noqa: F401
from . import exports  # noqa: F401
from . import media  # noqa: F401
from . import analysis  # noqa: F401
from . import evaluation  # noqa: F401
from . import casework  # noqa: F401
from . import notices  # noqa: F401
from . import rules  # noqa: F401
from . import exchanges  # noqa: F401
from . import plan  # noqa: F401
# isort: on


def main() -> None:
    """Entry point: user errors become one line and exit code 2."""
    # What the command writes (lake, store, anchors, exports) is readable by its user only: the
    # lake holds abusive posts and the store holds identities. Shared reports can be chmod-ed.
    os.umask(0o077)
    fit_width()
    try:
        app()
    except BrokenPipeError:
        sys.exit(0)  # the reader went away (`| head`): not an error
    except CounterspellError as exc:
        console.print(f"[red]error:[/red] {esc(exc)}", highlight=False)
        sys.exit(2)
    except OSError as exc:
        console.print(f"[red]error:[/red] {esc(exc)}", highlight=False)
        sys.exit(2)
    except Exception as exc:
        from ..store.db import store_error_line

        line = store_error_line(exc) if type(exc).__module__.startswith("sqlalchemy") else None
        if line is None:
            raise
        console.print(f"[red]error:[/red] {esc(line)}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print(
            "[red]interrupted[/red]: the lake holds whole files only; run the same command again to resume"
        )
        sys.exit(130)
