"""A whole station day on one core: 15,000 sheets through the reader and the journal.

    .venv/bin/python benchmarks/station.py [--sheets 15000] [--unique 240]

`--unique` sheets (both sides, JPEG, scan effects, all four ballot styles) are generated
first and fed again and again by an in-memory scanner with a fresh handle each time, so
the run measures reading and recording, not image generation. The journal is a real
SQLite file (WAL, synchronous FULL) with its mirror on a second path. Prints JSON: sheets
per second, reading and journal milliseconds per sheet, peak RSS, and the time to reopen
(integrity check, mirror comparison) and verify the full journal.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.deck import DeckOptions, generate_sheet
from fieldkit.sim import MemoryScanner
from kiosk.election.load import load_election
from kiosk.station.journal import Journal
from kiosk.station.ports import FedSheet
from kiosk.station.service import FixedClock, Station, fingerprints, reading_record


class ReplayScanner(MemoryScanner):
    """Feeds pre-generated sheets; keeps the whereabouts a real scanner would."""

    def __init__(self, sheets: list[tuple[bytes, bytes]], total: int) -> None:
        super().__init__()
        self.sheets = sheets
        self.total = total

    def feed(self) -> Iterator[FedSheet]:
        for i in range(self.total):
            handle = f"s{i}"
            self.state[handle] = "held"
            # Each replay is a new ballot: a few bytes after the JPEG's end make its fingerprint
            # unique (the station refuses the same image bytes twice as a replay).
            front, back = self.sheets[i % len(self.sheets)]
            tag = i.to_bytes(8, "big")
            yield FedSheet(handle, (front + tag, back + tag))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=15000)
    ap.add_argument("--unique", type=int, default=240)
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    pkg = load_election(None)
    styles = [s.id for s in pkg.election.styles]
    opt = DeckOptions(streak=0.0)
    sheets = []
    for i in range(args.unique):
        s = generate_sheet(pkg.election, pkg.election_hash, styles[i % len(styles)], args.seed, i, opt)
        sheets.append(
            (s.front_bytes, s.back_bytes) if s.truth.first_side == "front" else (s.back_bytes, s.front_bytes)
        )

    with tempfile.TemporaryDirectory() as tmp:
        path, mirror = Path(tmp) / "journal.sqlite", Path(tmp) / "usb" / "journal.sqlite"
        journal = Journal.create(path, pkg.election_hash, "379", FixedClock(), mirror)
        station = Station(journal, pkg, development=True)  # sample package: development switch
        journal.transition("open", "chair")
        reader = station.reader("official")
        scanner = ReplayScanner(sheets, args.sheets)
        read_ms, journal_ms = [], []
        rss_start = 0.0
        dropped: str | None = None
        t0 = time.perf_counter()
        for n, fed in enumerate(scanner.feed()):
            a = time.perf_counter()
            reading = reader.read_sheet(list(fed.images))
            b = time.perf_counter()
            if reading.status == "rejected":
                journal.sheet_returned(reading.reason or "unreadable")
                scanner.return_sheet(fed.handle, reading.reason or "")
            else:
                # As Station.scan does: the previous drop is confirmed in this sheet's commit.
                sheet_id = journal.record_sheet(
                    "official",
                    reading.style or "",
                    reading_record(reading),
                    fingerprints(fed.images),
                    fed.handle,
                    confirm_previous=dropped,
                )
                scanner.accept(fed.handle)
                dropped = sheet_id
            c = time.perf_counter()
            read_ms.append((b - a) * 1e3)
            journal_ms.append((c - b) * 1e3)
            if n == 999:
                rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if dropped is not None:
            journal.confirm_dropped(dropped)
        elapsed = time.perf_counter() - t0
        counted = journal.tally().sheets
        journal.close()
        db_mb = path.stat().st_size / 2**20
        t1 = time.perf_counter()
        reopened = Journal.open(path, FixedClock(), mirror)
        t2 = time.perf_counter()
        report = reopened.verify()
        t3 = time.perf_counter()
        reopened.close()

    result = {
        "benchmark": "station_day",
        "sheets": args.sheets,
        "unique_sheets": args.unique,
        "counted": counted,
        "returned": args.sheets - counted,
        "seconds": round(elapsed, 1),
        "sheets_per_second": round(args.sheets / elapsed, 1),
        "read_ms_per_sheet_both_sides_median": round(statistics.median(read_ms), 3),
        "journal_ms_per_sheet_median": round(statistics.median(journal_ms), 3),
        "journal_ms_per_sheet_p99": round(sorted(journal_ms)[int(len(journal_ms) * 0.99)], 3),
        "journal_commits_per_sheet": 1,
        "journal_mb": round(db_mb, 1),
        "peak_rss_mb_after_1000": round(rss_start, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "reopen_seconds": round(t2 - t1, 2),
        "verify_seconds": round(t3 - t2, 2),
        "verify_ok": report.ok,
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
