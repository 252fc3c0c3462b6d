"""Reader speed: decode, interpret and end to end per style, 1 vs 2 workers, memory over a day.

    .venv/bin/python benchmarks/read.py [--sheets 200] [--dpi 200] [--day 15000]

Prints one JSON document. Every ratio is measured within this one run, on the same
images: the JPEG decode is the floor, and `e2e_over_decode` says how far above it
reading a sheet is. (The durable journal record joins end to end with the station issue.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading.reader import BallotReader


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def make_sheets(style: str, n: int, dpi: int, seed: int) -> list[bytes]:
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, style)
    opt = DeckOptions(dpis=(dpi,), streak=0.0)
    return [
        generate_sheet(
            pkg.election, pkg.election_hash, style, seed, i, opt, layout=layout, with_front=False
        ).back_bytes
        for i in range(n)
    ]


def time_style(reader: BallotReader, blobs: list[bytes]) -> dict[str, float]:
    decode, interpret, e2e = [], [], []
    statuses: dict[str, int] = {}
    for blob in blobs[:5]:
        reader.read_bytes(blob)  # warm caches
    for blob in blobs:
        buf = np.frombuffer(blob, np.uint8)
        t0 = time.perf_counter()
        image = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
        t1 = time.perf_counter()
        assert image is not None
        reader.read(image)
        t2 = time.perf_counter()
        reading = reader.read_bytes(blob)
        t3 = time.perf_counter()
        decode.append((t1 - t0) * 1e3)
        interpret.append((t2 - t1) * 1e3)
        e2e.append((t3 - t2) * 1e3)
        statuses[reading.status] = statuses.get(reading.status, 0) + 1
    return {
        "sheets": len(blobs),
        "decode_ms_median": round(statistics.median(decode), 3),
        "decode_ms_p99": round(_pct(decode, 99), 3),
        "interpret_ms_median": round(statistics.median(interpret), 3),
        "interpret_ms_p99": round(_pct(interpret, 99), 3),
        "end_to_end_ms_median": round(statistics.median(e2e), 3),
        "end_to_end_ms_p99": round(_pct(e2e, 99), 3),
        "e2e_over_decode": round(statistics.median(e2e) / statistics.median(decode), 3),
        # session 59: the same sheets summed two other ways, beside the headline (the ratio of
        # the medians): each sheet's end to end over its own decode, the median of those (the
        # decode varies 3x from sheet to sheet with the JPEG's quality, the interpretation
        # hardly, so the median sheet of one is not the median sheet of the other), and the
        # whole style's time over its decodes' (a station's throughput: the slow sheets count)
        "e2e_over_decode_sheet_median": round(
            statistics.median([e / d for e, d in zip(e2e, decode, strict=True)]), 3
        ),
        "e2e_over_decode_total": round(sum(e2e) / sum(decode), 3),
        "statuses": statuses,  # type: ignore[dict-item]
    }


_worker_reader: BallotReader | None = None


def _init_worker() -> None:
    global _worker_reader
    cv2.setNumThreads(1)
    pkg = load_election(None)
    _worker_reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")


def _read_chunk(blobs: list[bytes]) -> int:
    assert _worker_reader is not None
    return sum(_worker_reader.read_bytes(b).status != "rejected" for b in blobs)


def throughput(blobs: list[bytes], workers: int) -> float:
    chunks = [blobs[i :: workers * 8] for i in range(workers * 8)]
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        list(pool.map(_read_chunk, [c[:2] for c in chunks]))  # start and warm the workers
        t0 = time.perf_counter()
        read = sum(pool.map(_read_chunk, chunks))
        elapsed = time.perf_counter() - t0
    assert read > 0
    return len(blobs) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=200, help="sheets per style for timing")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--day", type=int, default=15000, help="sheets read in a row for the memory check (0: skip)"
    )
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    # issue 16 (calib): the per-style timings with a scanner profile applied by the reader
    ap.add_argument("--calibration", type=Path, default=None, help="a scanner profile JSON (issue 16)")
    args = ap.parse_args()
    cv2.setNumThreads(1)

    pkg = load_election(None)
    calibration = None
    if args.calibration is not None:
        from kiosk.calibration.apply import ReaderCalibration

        calibration = ReaderCalibration.from_profile(json.loads(args.calibration.read_bytes()))
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never", calibration=calibration)
    per_style: dict[str, object] = {}
    all_blobs: list[bytes] = []
    for style in (s.id for s in pkg.election.styles):
        blobs = make_sheets(style, args.sheets, args.dpi, args.seed)
        all_blobs += blobs
        per_style[style] = time_style(reader, blobs)

    one = throughput(all_blobs, 1)
    two = throughput(all_blobs, 2)

    memory: dict[str, object] = {}
    if args.day:
        rss = [_rss_mb()]
        t0 = time.perf_counter()
        for i in range(args.day):
            reader.read_bytes(all_blobs[i % len(all_blobs)])
            if (i + 1) % 1000 == 0:
                rss.append(_rss_mb())
        memory = {
            "sheets": args.day,
            "seconds": round(time.perf_counter() - t0, 1),
            "rss_mb_first_1000": round(rss[1] if len(rss) > 1 else rss[0], 1),
            "rss_mb_last": round(rss[-1], 1),
            "rss_mb_growth_after_first_1000": round(rss[-1] - (rss[1] if len(rss) > 1 else rss[0]), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_mb_every_1000": [round(r, 1) for r in rss],
        }

    result = {
        "benchmark": "read",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "opencv": cv2.__version__},
        "dpi": args.dpi,
        "calibration": str(args.calibration) if args.calibration else None,
        "per_style": per_style,
        "sheets_per_second": {
            "workers_1": round(one, 1),
            "workers_2": round(two, 1),
            "speedup_2_over_1": round(two / one, 3),
        },
        "memory_day": memory,
        "anchors_ms_per_sheet": {"OMRChecker_here": 166, "VotingWorks_rust_reported": 36},
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
