"""Export of a full station: 10,076 sheets (4 ballot types of station 379) as NIST results and
CVRs, each validated (schema and id references) and cross-checked, then written to a folder
with the atomic writer and the signed manifest, and verified.

    .venv/bin/python benchmarks/export.py [--sheets 10076] [--to DIR]

The records are synthetic readings (a vote for a random option, 3 % blank, 2 % over-marked),
in the journal's `cast_vote_records` shape, so the run measures the export, not counting.
`--to` names the folder written to (default: a temporary folder; a mounted stick measures the
stick). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.election.load import load_election
from kiosk.protocol import export as ex
from kiosk.protocol import nist
from kiosk.vocabulary import tally_key


def synthetic(n: int, seed: int = 1) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    e = load_election(None).election
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    tally: dict[str, dict[str, int]] = {}
    for i in range(n):
        style = e.styles[i % len(e.styles)]
        c = e.contest(style.contest)
        r = rng.random()
        outcome, choice = (
            ("blank", None)
            if r < 0.03
            else ("overvote", None)
            if r < 0.05
            else ("vote", rng.choice(c.options).id)
        )
        marked = (
            {choice}
            if choice
            else ({o.id for o in rng.sample(c.options, 2)} if outcome == "overvote" else set())
        )
        marks = [
            {"option": o.id, "score": 0.0, "mark": "marked" if o.id in marked else "empty"} for o in c.options
        ]
        records.append(
            {
                "id": f"{rng.getrandbits(128):032x}",
                "style": style.id,
                "reading": {
                    "contests": [{"contest": c.id, "outcome": outcome, "choice": choice, "marks": marks}]
                },
                "decision": None,
            }
        )
        key = tally_key(outcome, choice)
        tally.setdefault(c.id, {})[key] = tally.setdefault(c.id, {}).get(key, 0) + 1
    return records, tally


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=10076)
    ap.add_argument("--to", type=Path, default=None)
    args = ap.parse_args()
    pkg = load_election(None)
    records, tally = synthetic(args.sheets)
    key = Ed25519PrivateKey.generate()
    ctx = nist.ReportContext(
        pkg.election,
        pkg.election_hash,
        "379",
        ex.key_id(key.public_key()),
        "2023-03-19T20:00:00+06:00",
        "sanaq bench",
    )
    out: dict[str, Any] = {"sheets": args.sheets}
    t = time.perf_counter()
    cvr = nist.cvr_report(ctx, records)
    out["cvr_build_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    assert nist.schema_problems(cvr, "cvr") == []
    out["cvr_schema_validation_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    assert nist.check_references(cvr, "cvr") == []
    out["cvr_reference_check_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    files = ex.nist_files(ctx, tally, args.sheets, records)
    out["nist_files_total_s"] = round(time.perf_counter() - t, 3)
    out["bytes"] = {f.name: len(f.data) for f in files}
    with tempfile.TemporaryDirectory() as tmp:
        stick = args.to or Path(tmp)
        t = time.perf_counter()
        result = ex.Exporter(key).export(stick, f"sanaq-bench-{time.time_ns()}", files, {"bench": True})
        out["write_fsync_readback_verify_s"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        assert ex.verify_export(result.path, key.public_key()).ok
        out["verify_s"] = round(time.perf_counter() - t, 3)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
