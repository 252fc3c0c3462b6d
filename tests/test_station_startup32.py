"""pass32: a station command that reads no sheet (init, open, status, tally, verify) does not
load the reader: its compiled kernels and numba cost a fresh process about 1.5 s of CPU,
paid by every `sanaq station ...` a commission member or a test runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from kiosk.cli import main
data = sys.argv[1]
codes = [
    main(["station", "--data", data, "--role", "technician", "--member", "T", "--development", "init"]),
    main(["station", "--data", data, "--role", "chair", "--member", "A", "--development", "open"]),
    main(["station", "--data", data, "status"]),
    main(["station", "--data", data, "tally"]),
    main(["station", "--data", data, "verify"]),
]
def loaded():
    return sorted(m for m in ("numba", "kiosk.reading.reader", "kiosk.reading.kernels") if m in sys.modules)
before = loaded()
# the other side: the station's reader, asked for, is loaded then (the deferred import works)
from pathlib import Path
from kiosk.cli.station import open_station
reader = open_station(Path(data), None, True).reader("official")
print(json.dumps({"codes": codes, "loaded": before, "after": loaded(), "reader": type(reader).__name__}))
"""


def test_station_commands_without_a_sheet_do_not_load_the_reader(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "station")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["codes"] == [0, 0, 0, 0, 0]
    assert got["loaded"] == []
    assert got["reader"] == "BallotReader"
    assert got["after"] == ["kiosk.reading.kernels", "kiosk.reading.reader", "numba"]
