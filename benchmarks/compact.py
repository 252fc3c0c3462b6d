"""What rebuilding the journal at pause and close costs (`Journal.compact`, issue 12).

    .venv/bin/python benchmarks/compact.py [--sheets 2000] [--out FILE]

Records `--sheets` sheets (one contest each, random votes) into a journal with its mirror
through the station's write path, then times one compaction (VACUUM of both files, WALs
emptied): wall and CPU seconds, and the files' sizes before and after. JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.election.load import load_election
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    pkg = load_election(None)
    e = pkg.election
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        primary, mirror = tmp / "j.sqlite", tmp / "usb" / "j.sqlite"
        j = Journal.create(primary, pkg.election_hash, "379", FixedClock(), mirror)
        j.transition("open", "chair")
        t0 = time.perf_counter()
        previous = None
        for k in range(args.sheets):
            style = e.styles[k % len(e.styles)]
            contest = e.contest(style.contest)
            reading = {
                "style": style.id,
                "status": "ok",
                "contests": [
                    {"contest": contest.id, "outcome": "vote", "choice": rng.choice(contest.options).id}
                ],
            }
            previous = j.record_sheet(
                "official", style.id, reading, [f"{k:064x}"], f"h{k}", confirm_previous=previous
            )
        if previous is not None:
            j.confirm_dropped(previous)
        counting = time.perf_counter() - t0
        sizes_before = [os.path.getsize(primary), os.path.getsize(mirror)]
        w0, c0 = time.perf_counter(), time.process_time()
        ok = j.compact()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        sizes_after = [os.path.getsize(primary), os.path.getsize(mirror)]
        verified = j.verify().ok
        j.close()
    out = {
        "benchmark": "compact",
        "sheets": args.sheets,
        "load": [round(x, 2) for x in os.getloadavg()],
        "counting_s": round(counting, 1),
        "compact_wall_s": round(wall, 3),
        "compact_cpu_s": round(cpu, 3),
        "compacted": ok,
        "bytes_before": sizes_before,
        "bytes_after": sizes_after,
        "verify_ok": verified,
    }
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
