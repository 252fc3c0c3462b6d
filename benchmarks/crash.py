"""Kill -9 the counting station at random moments, restart, resume; check nothing was lost or
counted twice (the runner is fieldkit/crash.py, shared with tests/test_crash.py).

    .venv/bin/python benchmarks/crash.py [--sheets 500] [--kills 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.crash import run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=500)
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        result = run(work, args.sheets, args.kills, args.seed, log=sys.stderr)
    print(json.dumps(result, indent=1))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
