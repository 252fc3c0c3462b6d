"""`sanaq verify FILE` as a fresh process: CPU and wall time from start to exit (issue 12).

    .venv/bin/python benchmarks/verify_start.py [--runs 15] [--tree DIR] [--out FILE]

Makes a sample station with its four protocols finalised (in a temporary folder), then runs
`python -m kiosk.cli verify FILE` and `python -m kiosk.cli.protocol FILE` (the verifier
without the station's commands) `--runs` times each, alternating, with the working directory
outside the tree and PYTHONPATH=--tree (default: this tree; `git archive REV` into a folder
measures an older revision with the same interpreter and packages). Reports the median and
the range of the child's CPU time (user + system, from getrusage) and wall time, the exit
codes, and the load average before and after: on a shared machine CPU time is the figure to
read. Target: under 100 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def finalised_protocol(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from kiosk.cli import main
    from kiosk.protocol.sample import PIN, make_sample_station

    s = make_sample_station(tmp / "data", sheets_per_style=10)
    d = str(s.data)
    stdin, stdout = sys.stdin, sys.stdout
    try:
        sys.stdout = io.StringIO()
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat"):
            sys.stdin = io.StringIO(PIN[m] + "\n")
            assert main(["protocol", "--data", d, "sign", "--member", m, "--pin-stdin"]) == 0
        assert main(["protocol", "--data", d, "finalise"]) == 0
    finally:
        sys.stdin, sys.stdout = stdin, stdout
    return s.data / "protocols" / "MZ-SMD-02.v1.protocol.jws.json"


def one(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, r.returncode


def summary(xs: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(1000 * statistics.median(xs), 1),
        "min_ms": round(1000 * min(xs), 1),
        "max_ms": round(1000 * max(xs), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--tree", type=Path, default=ROOT)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        file = finalised_protocol(tmp)
        env = os.environ | {"PYTHONPATH": str(args.tree.resolve()), "PYTHONDONTWRITEBYTECODE": "0"}
        commands = {
            "sanaq verify": [sys.executable, "-m", "kiosk.cli", "verify", str(file)],
            "python -m kiosk.cli.protocol": [sys.executable, "-m", "kiosk.cli.protocol", str(file)],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        load_before = os.getloadavg()
        for cmd in commands.values():  # warm the byte-code caches and the page cache
            one(cmd, env, tmp)
        results: dict[str, dict[str, list[float]]] = {k: {"cpu": [], "wall": [], "rc": []} for k in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                cpu, wall, rc = one(cmd, env, tmp)
                results[name]["cpu"].append(cpu)
                results[name]["wall"].append(wall)
                results[name]["rc"].append(rc)
        load_after = os.getloadavg()
    out = {
        "benchmark": "verify_start",
        "tree": str(args.tree),
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "target_ms": 100,
        "results": {
            name: {
                "cpu": summary(r["cpu"]),
                "wall": summary(r["wall"]),
                "exit_codes": sorted(set(int(x) for x in r["rc"])),
            }
            for name, r in results.items()
        },
    }
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
