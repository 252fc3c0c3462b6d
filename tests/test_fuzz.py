"""A short, fixed-seed atheris session over the reader (tests/fuzz_reader.py): raw bytes,
damaged JPEGs and painted-over scans; no input may raise or give an unknown code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).with_name("fuzz_reader.py")


def test_reader_survives_a_fuzzing_session(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(HARNESS), "-runs=1500", "-seed=20261128"],
        cwd=tmp_path,  # where a crash input would be written
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = run.stderr[-3000:]
    assert run.returncode == 0, tail
    assert "Done 1500 runs" in run.stderr, tail
    assert not list(tmp_path.glob("crash-*")), tail
