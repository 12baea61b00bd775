"""The fingerprinting page: public at ``/hash`` and inside the removal-request form, and as one
self-contained file (``counterspell hash-page``) that a helpline can hand out and that works from
disk, offline.

Pictures are hashed in the browser by ``static/pdq.js`` (PDQ, agreeing bit for bit with
:mod:`counterspell.matching.hashing` on the reference images), ``static/digests.js`` (MD5,
SHA-256) and ``static/hash.js`` (the widget); only the hashes leave the page. The service serves
the scripts as files, so its Content-Security-Policy keeps ``script-src 'self'`` with no inline
script; the standalone file inlines them and carries its own policy that admits exactly those
inline scripts (by their SHA-256) and forbids every connection, so it cannot send anything.

This module imports no web framework: the CLI renders the standalone file without the ``web``
extra.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..version import __version__

HERE = Path(__file__).parent
SCRIPTS = ("pdq.js", "digests.js", "hash.js")  # in this order: hash.js uses the other two


def _source_hash(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def standalone_html() -> str:
    """The page as one HTML file with its scripts and styles inline."""
    scripts = [(HERE / "static" / name).read_text(encoding="utf-8") for name in SCRIPTS]
    css = (HERE / "static" / "app.css").read_text(encoding="utf-8")
    for text in (*scripts, css):
        if "</" in text:  # would end the inline element early
            raise AssertionError("a static file holds '</' and cannot be inlined")
    csp = (
        "default-src 'none'; "
        f"script-src {' '.join(_source_hash(s) for s in scripts)}; "
        f"style-src {_source_hash(css)}; img-src data:; connect-src 'none'; "
        "form-action 'none'; base-uri 'none'"
    )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("hash_standalone.html.j2").render(
        csp=csp,
        css=Markup(css),
        scripts=[Markup(s) for s in scripts],
        version=__version__,
    )
