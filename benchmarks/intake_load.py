"""Load on the intake: N stations x 5 deliveries (the 4 protocols of the sample station and a
correction of one of them as version 2) sent concurrently over TLS on loopback to `intake
serve` running in its own process, on SQLite and on PostgreSQL (a temporary server started
here, as the tests do). Prints JSON: deliveries per second, latency percentiles, and the final
aggregate checked against the sum of what was sent (current versions only).

    nice -n 10 .venv/bin/python benchmarks/intake_load.py [--stations 500] [--concurrency 32]
        [--stores sqlite,postgres] [--max-seconds 600] [--workers 2] [--clients 2]
        (--stations 10000: the issue's size)

The server groups the commits of the deliveries waiting at one moment (intake/service.py
Batcher); `--workers` server processes share the store through its locks; `--clients` client
processes split the stations. PostgreSQL runs with fsync on here (the tests run it off).
"""

# ruff: noqa: E402
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
# This file is named like the intake package: take its own folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT / "tests"))

from synckit import Postgres, free_port, make_pki, template_protocols

from intake.synthetic import (
    multi_station_package,
    multi_station_package_bytes,
    readdress,
    signed_file,
    synthetic_station,
)
from kiosk.election.package import development_trust
from kiosk.protocol.model import Protocol
from kiosk.sync.client import pinned_context
from kiosk.sync.wire import PATH, delivery_key, sign_request, verify_receipt


def corrected(p: Protocol) -> Protocol:
    """Version 2 with one vote moved from the first option that has one to the next option:
    every control ratio still holds, the sums differ from version 1."""
    lines = list(p.lines)
    votes = [i for i, (_n, lid, _v) in enumerate(lines) if lid.startswith("votes.")]
    for a, b in itertools.pairwise(votes):
        if lines[a][2] > 0:
            lines[a] = (lines[a][0], lines[a][1], lines[a][2] - 1)
            lines[b] = (lines[b][0], lines[b][1], lines[b][2] + 1)
            break
    return dataclasses.replace(p, lines=tuple(lines))


def prepare(n: int) -> tuple[Any, list[tuple[str, Any, list[bytes]]], dict[str, dict[str, int]]]:
    pkg = multi_station_package(n)
    templates = template_protocols()
    stations = []
    expected: dict[str, dict[str, int]] = {}
    for i in range(n):
        sid = f"{1000 + i}"
        st = synthetic_station(pkg, sid)
        v1 = [readdress(t, pkg, sid) for t in templates]
        v2 = corrected(readdress(v1[0], pkg, sid, 2, v1[0].digest()))
        bodies = [signed_file(st, p) for p in v1] + [signed_file(st, v2)]
        stations.append((sid, st.device, bodies))
        for p in [v2, *v1[1:]]:
            lines = expected.setdefault(p.contest, {})
            for _n, lid, v in p.lines:
                lines[lid] = lines.get(lid, 0) + v
    return pkg, stations, expected


async def send_all(
    url: str, ca: Path, stations: list[Any], concurrency: int, deadline: float
) -> dict[str, Any]:
    """One client process: its stations, `concurrency` at a time, each sending its 5 deliveries
    in order; a transport error (no answer) is retried up to 3 times, as the kiosk would."""
    trust = development_trust()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    ok = 0
    async with httpx.AsyncClient(verify=pinned_context(ca), timeout=60, limits=limits) as client:

        async def station(sid: str, key: Any, bodies: list[bytes]) -> None:
            nonlocal ok
            async with sem:
                for body in bodies:
                    for _try in range(4):
                        if time.monotonic() > deadline:
                            errors["deadline"] = errors.get("deadline", 0) + 1
                            return
                        headers = sign_request(key, "POST", PATH, body, int(time.time()), sid)
                        t0 = time.perf_counter()
                        try:
                            r = await client.post(url + PATH, content=body, headers=headers)
                        except httpx.HTTPError as exc:
                            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                            continue
                        latencies.append(time.perf_counter() - t0)
                        if r.status_code != 201:
                            errors[f"HTTP {r.status_code}"] = errors.get(f"HTTP {r.status_code}", 0) + 1
                            break
                        verify_receipt(r.content, trust, delivery_key(body))
                        ok += 1
                        break

        await asyncio.gather(*(station(*s) for s in stations))
    return {"ok": ok, "latencies": latencies, "errors": errors}


_STATIONS: list[Any] = []  # inherited by the forked client processes


def _client(args: tuple[str, str, int, int, int, float]) -> dict[str, Any]:
    url, ca, start, step, concurrency, deadline = args
    return asyncio.run(send_all(url, Path(ca), _STATIONS[start::step], concurrency, deadline))


def send_parallel(url: str, ca: Path, clients: int, concurrency: int, deadline: float) -> dict[str, Any]:
    import multiprocessing as mp

    t0 = time.perf_counter()
    per = max(1, concurrency // clients)
    jobs = [(url, str(ca), i, clients, per, deadline) for i in range(clients)]
    if clients == 1:
        parts = [_client(jobs[0])]
    else:
        with mp.get_context("fork").Pool(clients) as pool:
            parts = pool.map(_client, jobs)
    wall = time.perf_counter() - t0
    latencies = sorted(x for p in parts for x in p["latencies"])
    errors: dict[str, int] = {}
    for p in parts:
        for k, v in p["errors"].items():
            errors[k] = errors.get(k, 0) + v
    ok = sum(p["ok"] for p in parts)

    def pct(q: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else 0.0
        )

    return {
        "deliveries": ok,
        "seconds": round(wall, 2),
        "deliveries_per_second": round(ok / wall, 1),
        "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        "errors": errors,
    }


def run_store(
    kind: str, args: argparse.Namespace, pkg_path: Path, stations: list[Any], expected: Any, tmp: Path
) -> dict[str, Any]:
    pki = make_pki(tmp / f"pki-{kind}")
    port = free_port()
    pg = None
    store_args = ["--db", str(tmp / "intake.sqlite")]
    if kind == "postgres":
        pg = Postgres(fsync=True)  # durable commits, as headquarters would run it
        store_args = ["--pg", pg.new_database()]
    cmd = [
        sys.executable,
        "-m",
        "intake.cli",
        "serve",
        *store_args,
        "--election",
        str(pkg_path),
        "--development",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--cert",
        str(pki.cert),
        "--key",
        str(pki.key),
        "--workers",
        str(args.workers),
    ]
    server = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    try:
        url = f"https://127.0.0.1:{port}"
        ctx = pinned_context(pki.ca)
        for _ in range(300):
            try:
                httpx.get(url + "/health", verify=ctx)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        load_before = os.getloadavg()
        result = send_parallel(
            url, pki.ca, args.clients, args.concurrency, time.monotonic() + args.max_seconds
        )
        result["load_average"] = {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        }
        agg = httpx.get(url + "/v1/aggregate", verify=ctx, timeout=120).json()
        got = {c["contest"]: c["lines"] for c in agg["contests"] if c["lines"]}
        missing = sum(len(c["stations_missing"]) for c in agg["contests"])
        result["aggregate_matches_sent"] = got == expected
        result["stations_missing"] = missing
        return {"store": kind, **result}
    finally:
        server.terminate()
        server.wait(30)
        if pg is not None:
            pg.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--stores", default="sqlite,postgres")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--workers", type=int, default=2, help="intake server processes")
    ap.add_argument("--clients", type=int, default=2, help="client processes")
    args = ap.parse_args()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # the template station's progress lines
        _pkg, stations, expected = prepare(args.stations)
    _STATIONS[:] = stations
    prep = time.perf_counter() - t0
    out: dict[str, Any] = {
        "benchmark": "intake",
        "stations": args.stations,
        "deliveries_sent_per_store": 5 * args.stations,
        "concurrency": args.concurrency,
        "server_workers": args.workers,
        "client_processes": args.clients,
        "prepare_seconds": round(prep, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": [],
    }
    with tempfile.TemporaryDirectory(prefix="sanaq-bench-intake-") as d:
        tmp = Path(d)
        pkg_path = tmp / "election.json"
        pkg_path.write_bytes(multi_station_package_bytes(args.stations))
        for kind in args.stores.split(","):
            out["results"].append(run_store(kind, args, pkg_path, stations, expected, tmp))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
