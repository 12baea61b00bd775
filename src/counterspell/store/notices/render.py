"""A built notice as Markdown (to paste into a platform's form or an e-mail), HTML or JSON.

All three carry the same parts in the same order, and all end with the annex of sources and the
disclaimer, so that no format can be sent without saying where its law came from and that counsel
has (or has not) reviewed it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ...errors import CounterspellError

FORMATS = ("md", "html", "json")
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(["j2"], default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _md_escape(text: Any) -> str:
    """Export data (community names, handles) must not become Markdown markup or links."""
    s = str(text)
    for ch in "\\`*_[]<>|#":
        s = s.replace(ch, "\\" + ch)
    return s


def _hashes(item: dict[str, Any]) -> list[str]:
    out = []
    for m in item["media"]:
        parts = [f"{k} {m[k]}" for k in ("md5", "sha256", "pdq") if m.get(k)]
        if parts:
            out.append(f"{m['ref']}: " + "; ".join(parts))
    return out


def markdown(n: dict[str, Any]) -> str:
    t = n["template"]
    lines = [f"# {t['title']}", ""]
    lines.append(
        f"Case {n['case_id']} · {t['jurisdiction']} {t['kind']} notice · generated "
        f"{n['generated_at'][:16].replace('T', ' ')} UTC · notice SHA-256 `{n['sha256']}`"
    )
    lines.append("")
    if t["counsel_review"]:
        lines += ["> **Counsel review required.** Not legal advice; do not send unreviewed.", ""]
    for w in n["warnings"]:
        lines += [f"> {w}", ""]
    for s in n["sections"]:
        lines += [f"## {s['heading']}", "", s["text"], ""]
    lines += ["## Legal basis", ""]
    for law in n["legal_basis"]:
        lines.append(f"- **{law['citation']}** ({law['in_force']}). {law['summary']}")
    lines.append("")
    if n["requesters"]:
        lines += [f"## Accounts that posted the requests ({len(n['requesters'])})", ""]
        for a in n["requesters"]:
            who = _md_escape(a["author_key"]) if a["author_key"] else "no account id in the export"
            handles = ", ".join(_md_escape(h) for h in a["handles"]) or "none shown"
            lines.append(
                f"- {a['platform']} account `{who}` (handles: {handles}); requests from "
                f"{a['first_request_at'] or 'unknown'} to {a['last_request_at'] or 'unknown'}"
            )
            for p in a["posts"]:
                lines.append(
                    f"  - post `{p['uid']}` (post id {_md_escape(p['post_id'])}, thread "
                    f"{_md_escape(p['thread_id'])}, posted {p['posted_at'] or 'unknown'})"
                    + (f" <{p['location']}>" if p["location"] else "")
                )
        lines.append("")
    lines += [f"## Content located ({len(n['content'])} posts)", ""]
    for it in n["content"]:
        where = f" <{it['location']}>" if it["location"] else ""
        lines.append(
            f"- `{it['uid']}`{where}: community {_md_escape(it['community'])}, thread "
            f"{_md_escape(it['thread_id'])}, posted {it['posted_at'] or 'unknown'}, first linked "
            f"{it['linked_at']}; role {it['role'] or 'unknown'}"
            + (f"; campaign {it['campaign_id']}" if it["campaign_id"] else "")
        )
        for h in _hashes(it):
            lines.append(f"  - media {h}")
        for b in it["bank_matches"]:
            lines.append(
                f"  - matches bank entry {b['entry']} ({b['signal']}, distance {b['distance']})"
            )
    lines.append("")
    if n["campaigns"]:
        lines += [f"## Campaigns ({len(n['campaigns'])})", ""]
        for c in n["campaigns"]:
            roles = ", ".join(f"{k} {v}" for k, v in sorted(c["roles"].items()))
            lines.append(
                f"- {c['campaign_id']}: {c['posts']} posts here ({roles}), "
                f"{c['first_seen'] or '?'} to {c['last_seen'] or '?'}"
            )
        lines.append("")
    if n.get("identities"):
        lines += ["## Person depicted (revealed by the operator)", ""]
        for p, v in sorted(n["identities"].items()):
            lines.append(f"- {v['kind']}: {_md_escape(v['value'])} ({p})")
        lines.append("")
    lines += ["## Annex: sources of the legal basis", ""]
    for a in n["annex"]:
        lines.append(f"- {a['citation']} ({a['id']}): {a['status']}")
        if a["note"]:
            lines.append(f"  - note: {a['note']}")
        for s in a["sources"]:
            lines.append(f"  - <{s['url']}> (read {s['checked']}): {s['what']}")
    lines += ["", "---", "", n["disclaimer"], ""]
    return "\n".join(lines)


def html_fragment(n: dict[str, Any]) -> str:
    """The notice as an ``<article>``, escaped, for a page of the service to embed."""
    return _env.get_template("notice.html.j2").render(n=n, hashes=_hashes)


def html_document(n: dict[str, Any]) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Notice: case {int(n['case_id'])}</title></head><body>\n"
        + html_fragment(n)
        + "\n</body></html>\n"
    )


def render(n: dict[str, Any], fmt: str) -> str:
    if fmt == "md":
        return markdown(n)
    if fmt == "html":
        return html_document(n)
    if fmt == "json":
        return orjson.dumps(n, option=orjson.OPT_INDENT_2).decode() + "\n"
    raise CounterspellError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
