"""The intake as an ASGI app (Starlette): POST /v1/deliveries, GET /v1/aggregate(.json), GET /."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from intake.page import render_html
from intake.service import MAX_BODY, Intake
from kiosk.errors import SanaqError
from kiosk.sync.wire import PATH, verify_request

STATUS = {
    "sync_request_bad": 401,
    "sync_request_stale": 401,
    "sync_unknown_station": 403,
    "sync_wrong_election": 409,
    "sync_replayed_version": 409,
    "sync_version_conflict": 409,
    "sync_too_large": 413,
}


def _error(exc: SanaqError) -> JSONResponse:
    return JSONResponse({"error": exc.as_dict()}, status_code=STATUS.get(exc.code, 422))


def create_app(intake: Intake) -> Starlette:
    async def deliver(request: Request) -> Response:
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_BODY:
            return _error(SanaqError("sync_too_large", f"{length} bytes"))
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error(SanaqError("sync_too_large", "body"))

        def work() -> Any:
            v = intake.check(body)
            verify_request(
                v.enrolment.device_key,
                request.headers,
                "POST",
                PATH,
                body,
                intake.clock(),
                v.protocol.station,
            )
            return intake.accept(body, "https", v)

        try:
            accepted = await run_in_threadpool(work)
        except SanaqError as exc:
            return _error(exc)
        return Response(
            accepted.receipt, status_code=201 if accepted.new else 200, media_type="application/jose+json"
        )

    async def aggregate(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(intake.aggregate))

    async def page(request: Request) -> Response:
        agg = await run_in_threadpool(intake.aggregate)
        return HTMLResponse(render_html(agg, intake.package))

    async def health(request: Request) -> Response:
        return Response(json.dumps({"ok": True}), media_type="application/json")

    return Starlette(
        routes=[
            Route(PATH, deliver, methods=["POST"]),
            Route("/v1/aggregate", aggregate),
            Route("/", page),
            Route("/health", health),
        ]
    )
