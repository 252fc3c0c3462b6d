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
from intake.service import MAX_FILE_BODY, Intake
from kiosk.errors import SanaqError
from kiosk.sync.files import is_file_delivery
from kiosk.sync.wire import PATH, verify_request

STATUS = {
    "sync_request_bad": 401,
    "sync_request_stale": 401,
    "sync_unknown_station": 403,
    "sync_wrong_election": 409,
    "sync_replayed_version": 409,
    "sync_version_conflict": 409,
    "sync_too_large": 413,
    "sync_file_bad": 422,
    "sync_not_asked": 409,
    "sync_store_busy": 503,
}


def _error(exc: SanaqError) -> JSONResponse:
    return JSONResponse({"error": exc.as_dict()}, status_code=STATUS.get(exc.code, 422))


def create_app(intake: Intake, batch: bool = True) -> Starlette:
    if batch:
        intake.start_batching()  # group commit: one store transaction for the deliveries waiting

    async def deliver(request: Request) -> Response:
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_FILE_BODY:
            return _error(SanaqError("sync_too_large", f"{length} bytes"))
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BODY:
                return _error(SanaqError("sync_too_large", "body"))
        body = b"".join(chunks)

        def work() -> Any:
            if is_file_delivery(body):
                checked = intake.check_file(body)
                verify_request(
                    checked[0].enrolment.device_key,
                    request.headers,
                    "POST",
                    PATH,
                    body,
                    intake.clock(),
                    checked[0].station,
                )
                return intake.accept_file(body, "https", checked)
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
