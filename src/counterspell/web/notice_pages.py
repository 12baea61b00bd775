"""Notices on the web: pick a template for a case, read the notice, download it.

Analysts only, like the evidence bundle. A notice names content, not the person depicted; an
analyst who must name her reveals it with a form (a POST, so a link or a prefetch cannot reveal),
and the reveal is audited with the notice (:mod:`counterspell.store.notices.build`).
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ..store import cases
from ..store.notices.build import build
from ..store.notices.render import FORMATS, html_fragment, markdown
from ..store.notices.templates import load_templates
from .security import Analyst, Id, Principal, store_of
from .ui import page

router = APIRouter(include_in_schema=False)
Platform = Annotated[str, Query(max_length=100)]


@router.get("/cases/{case_id}/notices")
def notices_page(request: Request, who: Analyst, case_id: Id) -> HTMLResponse:
    templates, laws = load_templates()
    with store_of(request).engine.connect() as conn:
        case = cases.get(conn, case_id)
        posts = cases.links_of(conn, case_id, "post")
    platforms = sorted({p["detail"]["platform"] for p in posts})
    requests = sum(p["detail"].get("role") == "request" for p in posts)
    return page(request, "notices.html.j2", who, case=case, templates=list(templates.values()),
                laws=laws, platforms=platforms, requests=requests)  # fmt: skip


def _notice(
    request: Request, who: Principal, case_id: int, name: str, platform: str, reveal: bool
) -> dict[str, Any]:
    templates, laws = load_templates()
    if name not in templates:
        raise HTTPException(404, f"no notice template {name!r}")
    return build(store_of(request), case_id, who.user, templates[name], laws,
                 platform=platform or None, reveal=reveal)  # fmt: skip


@router.get("/cases/{case_id}/notices/{name}")
def notice_view(
    request: Request, who: Analyst, case_id: Id, name: str, platform: Platform = "",
    format: Annotated[str, Query(max_length=8)] = "html",
) -> Response:  # fmt: skip
    if format not in FORMATS:
        raise HTTPException(400, f"format must be one of {', '.join(FORMATS)}")
    notice = _notice(request, who, case_id, name, platform, reveal=False)
    filename = f"case-{case_id}-{name}{'-' + platform if platform else ''}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{_safe(filename)}"'}
    if format == "md":
        return PlainTextResponse(markdown(notice), headers=disposition)
    if format == "json":
        return Response(orjson.dumps(notice, option=orjson.OPT_INDENT_2),
                        media_type="application/json", headers=disposition)  # fmt: skip
    return page(request, "notice.html.j2", who, notice=notice, body=html_fragment(notice),
                platform=platform)  # fmt: skip


@router.post("/cases/{case_id}/notices/{name}/reveal")
def notice_reveal(
    request: Request, who: Analyst, case_id: Id, name: str,
    platform: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:  # fmt: skip
    notice = _notice(request, who, case_id, name, platform, reveal=True)
    return page(request, "notice.html.j2", who, notice=notice, body=html_fragment(notice),
                platform=platform)  # fmt: skip


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
