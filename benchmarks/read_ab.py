"""A/B of the reader against an earlier revision, in one process, on the same decoded scans.

    .venv/bin/python benchmarks/read_ab.py --against REV [--sheets 150] [--styles MZ-LIST AST-SMD-07]
    .venv/bin/python benchmarks/read_ab.py --against REV --sheets 400 --field CACHE.pkl

The machine is noisy: two runs of the same code can differ by a third. Here the old
reader (kiosk/reading as it was at REV, loaded under another package name) and the
current one read each freshly decoded scan in turn, alternating which goes first, so
both see the same machine. Prints JSON: per style, median decode, old and new
interpretation ms (and means), new/old, and whether every reading is identical. `--field`
reads the field sheets `benchmarks/hook_ab.py --cache` kept (the first `--sheets`), every
condition mixed, instead of the clean decks.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from read import make_sheets  # noqa: E402

from kiosk.election.load import load_election  # noqa: E402
from kiosk.reading.reader import BallotReader  # noqa: E402


def load_old_reader(rev: str, folder: Path) -> type:
    pkg = folder / "reading_at_rev"
    pkg.mkdir()
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:kiosk/reading"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        if name.endswith(".py"):
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:kiosk/reading/{name}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            (pkg / name).write_text(text.replace("kiosk.reading", "reading_at_rev"))
    sys.path.insert(0, str(folder))
    return importlib.import_module("reading_at_rev.reader").BallotReader  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", required=True, help="git revision of the old reader")
    ap.add_argument("--sheets", type=int, default=150)
    ap.add_argument("--styles", nargs="+", default=["MZ-LIST", "AST-SMD-07", "MZ-SMD-02"])
    ap.add_argument("--field", type=Path, help="field sheets cached by hook_ab.py --cache, read instead")
    args = ap.parse_args()
    pkg = load_election(None)
    with tempfile.TemporaryDirectory() as tmp:
        old_cls = load_old_reader(args.against, Path(tmp))
        old = old_cls(pkg.election, pkg.election_hash)
        new = BallotReader(pkg.election, pkg.election_hash)
        out: dict[str, object] = {"benchmark": "read_ab", "against": args.against, "per_style": {}}
        decks = [(s, make_sheets(s, args.sheets, 200, 9)) for s in args.styles]
        if args.field:
            with open(args.field, "rb") as f:
                decks = [("field", [sheet.image for _i, _s, sheet in pickle.load(f)[: args.sheets]])]
        for style, blobs in decks:
            times: dict[str, list[float]] = {"old": [], "new": [], "decode": []}
            identical = True
            for rep in range(2):
                for i, blob in enumerate(blobs):
                    pair = [("old", old), ("new", new)]
                    if (i + rep) % 2:
                        pair.reverse()
                    readings = {}
                    for name, reader in pair:
                        t0 = time.perf_counter()
                        image = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_GRAYSCALE)
                        t1 = time.perf_counter()
                        readings[name] = reader.read(image)
                        t2 = time.perf_counter()
                        times[name].append(t2 - t1)
                        times["decode"].append(t1 - t0)
                    identical &= readings["old"].to_json() == readings["new"].to_json()
            med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
            out["per_style"][style] = {  # type: ignore[index]
                "sheets": len(blobs),
                "decode_ms_median": round(med["decode"], 3),
                "old_interpret_ms_median": round(med["old"], 3),
                "new_interpret_ms_median": round(med["new"], 3),
                "new_over_old": round(med["new"] / med["old"], 3),
                "old_interpret_ms_mean": round(statistics.mean(times["old"]) * 1e3, 3),
                "new_interpret_ms_mean": round(statistics.mean(times["new"]) * 1e3, 3),
                "readings_identical": identical,
            }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
