"""``counterspell serve``: the FastAPI application (JSON API + review UI) over one store.

:func:`create_app` builds the app for a :class:`~counterspell.store.Store`; nothing global, so tests
and benchmarks run several side by side. Every response carries a strict Content-Security-Policy
(scripts only from this site, no inline script), so text from the lake cannot run in a
reviewer's browser even if escaping were ever missed.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders

from ..errors import Conflict, CounterspellError, NotFound
from ..matching.copies import CopyFinder
from ..store.db import Store
from ..version import __version__
from . import api, notice_pages, plan_pages, rule_pages, takedown_pages, ui
from .authcache import AuthCache
from .listcache import KeptAnswers
from .security import PUBLIC_CSRF_COOKIE, LoginRequired, Viewer
from .viewcache import LakeViews

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


MAX_BODY = 1 << 20  # 1 MiB: the largest legitimate body (a removal request with hashes) is far less


class _BodyLimit:
    """Refuse bodies over ``MAX_BODY`` with 413 before anything parses them, whether or not the
    client announced their length (the public form must not be a way to fill memory)."""

    def __init__(self, app: Any, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)
        except BaseExceptionGroup as group:  # raised inside a middleware's task group
            if group.subgroup(_TooLarge) is None:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = b'{"detail":"request body over 1 MiB"}'
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class _Headers:
    """The security headers on every response, and the public form's CSRF cookie when a page
    made one. A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` ran every request in
    a task group with a stream between the app and the server, a large share of what a small
    request costs, to add five headers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI; Starlette always sends it
                h = MutableHeaders(scope=message)
                h.setdefault("Content-Security-Policy", CSP)
                h["X-Content-Type-Options"] = "nosniff"
                h["X-Frame-Options"] = "DENY"
                h["Referrer-Policy"] = "no-referrer"
                secure = scope["app"].state.secure_cookies
                if secure:  # served over TLS (behind a proxy): stay on it
                    h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
                h.setdefault("Cache-Control", "no-store")
                token = (scope.get("state") or {}).get("set_public_csrf")
                if token:
                    cookie = Response()
                    cookie.set_cookie(
                        PUBLIC_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure, path="/",
                    )  # fmt: skip
                    h.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, with_headers)


def highlight(text: str | None, words: list[str]) -> Markup:
    """The post's text, escaped, with the words that fired a flag marked (case-insensitive)."""
    body = text or ""
    if not words:
        return Markup(escape(body))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.I)
    out: list[str] = []
    last = 0
    for m in pattern.finditer(body):
        out.append(str(escape(body[last : m.start()])))
        out.append(f'<mark class="cue">{escape(m.group(0))}</mark>')
        last = m.end()
    out.append(str(escape(body[last:])))
    return Markup("".join(out))


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # always: template names end in .j2, which select_autoescape would miss
        undefined=jinja2.StrictUndefined,
    )
    env.filters["dt"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else "-"
    env.filters["highlight"] = highlight
    env.filters["b64"] = lambda v: base64.b64encode(str(v).encode()).decode()
    env.globals["version"] = __version__
    return env


def _status(exc: CounterspellError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 400


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """When the server starts: the hash finder warmed in the background (see CopyFinder.warm);
    a failure there is logged and the first match request loads what it needs itself."""

    def warm() -> None:
        try:
            app.state.finder.warm()
        except Exception:
            log.warning("warming the hash finder failed", exc_info=True)

    threading.Thread(target=warm, name="counterspell-warm", daemon=True).start()
    yield


def create_app(store: Store, *, secure_cookies: bool = True) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="Counterspell",
        version=__version__,
        summary="Case work against sexual-deepfake request communities: review queue, cases, TAKE IT DOWN requests, audit.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served below, behind a login
    )
    app.state.store = store
    app.state.secure_cookies = secure_cookies
    app.state.templates = _templates()
    app.state.finder = CopyFinder(store.ws)
    settings = store.ws.settings
    app.state.views = LakeViews(
        store.ws, settings.service.view_cache_mb << 20, settings.service.lake_recheck_ms / 1000
    )
    app.state.auth = AuthCache[Any](settings.service.auth_recheck_ms / 1000)
    app.state.lists = KeptAnswers()
    app.add_middleware(_Headers)
    app.add_middleware(_BodyLimit)  # outermost: runs before any other middleware reads the body
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(rule_pages.api)
    app.include_router(api.router)
    app.include_router(ui.router)
    app.include_router(takedown_pages.router)
    app.include_router(notice_pages.router)
    app.include_router(plan_pages.router)
    app.include_router(rule_pages.router)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(who: Viewer) -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, who: Viewer) -> HTMLResponse:
        return ui.page(request, "docs.html.j2", who, spec=app.openapi())

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(CounterspellError)
    async def _user_error(request: Request, exc: CounterspellError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=_status(exc))
        return ui.error_page(request, _status(exc), str(exc))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request) or exc.status_code == 401:
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return ui.error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        text = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors)
        return ui.error_page(request, 422, text or "the form was not filled in correctly")

    return app
