"""stroke34 (issue 10, the thirty-third pass): stroke28's whole-line follow compiled, the same
numbers. `benchmarks/follow.py` reads generated crease sheets with stroke28 on, keeps every line it
followed and follows each again fast and plain: on real sheets (not only drawn ones, as
test_stroke29's), the fast follow's every Run is the plain one's to the bit; and the benchmark
refuses the holdout seeds."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import follow  # noqa: E402

from kiosk.reading import crease27, stroke28  # noqa: E402


def test_the_lines_followed_on_crease_sheets_are_the_plain_follows(tmp_path: Path) -> None:
    """Four crease sheets of dev seed 155: lines were followed (13 on this code) and none of their
    Runs differs between the fast and the plain follow; stroke28 is on again after."""
    out = tmp_path / "follow.json"
    assert follow.main(["--seed", "155", "--sheets", "4", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["lines_followed"] >= 5
    assert got["runs_differ"] == 0
    assert got["reading_cpu_s"]["stroke28_on"] > 0 and got["reading_cpu_s"]["stroke28_off"] > 0
    assert stroke28.ENABLED is True
    assert stroke28.whole_run.__name__ == "whole_run"  # the recorder taken off again


@pytest.mark.parametrize("seed", ["9000", "12250", "12399"])
def test_holdout_seeds_are_refused(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert follow.main(["--seed", seed, "--sheets", "1"]) == 2
    assert "refused" in capsys.readouterr().err


def compiled_after_warm(reading: str) -> dict[str, Any]:
    """Run `reading` (Python source) in a fresh process after `kernels.warm()`: how many kernels
    there are (`kernels`), the signatures each compiled while `reading` ran (`new`, by name) and
    what `reading` put in its dict `extra`. A fresh process: this one's kernels may hold other
    tests' types."""
    code = (
        """
import json
import numba
from kiosk.reading import kernels
kernels.warm()
def sigs():
    return {n: len(f.signatures) for n, f in vars(kernels).items()
            if isinstance(f, numba.core.registry.CPUDispatcher)}
before = sigs()
extra = {}
"""
        + reading
        + """
after = sigs()
new = {n: after[n] - before.get(n, 0) for n in after if after[n] != before.get(n, 0)}
print(json.dumps({"kernels": len(after), "new": new, "extra": extra}))
"""
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    got: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return got


def test_warm_prepares_every_kernel_the_reading_of_crease_sheets_calls() -> None:
    """`kernels.warm()` compiles each kernel for the argument types the reader hands it (stroke28's
    offsets and zones are read-only arrays, which numba compiles as other types): after it, reading
    four crease sheets (stroke28's follow, crease27's fit and page test) compiles nothing more, so no
    sheet waits for a compiler."""
    got = compiled_after_warm(
        """
from fieldkit.accuracy import _field_setup
from fieldkit.conditions import FieldOptions, generate_field_sheet
pkg, reader, layouts = _field_setup()
styles = list(layouts)
opt = FieldOptions(none_share=0.0, always=("crease",))
for i in range(4):
    layout = layouts[styles[i % len(styles)]]
    reader.read_bytes(generate_field_sheet(pkg.election, pkg.election_hash, layout, 155, i, opt).image)
"""
    )
    assert got["kernels"] > 40
    assert got["new"] == {}


def _outcome(fit: Any, arg: Any) -> str:
    try:
        with np.errstate(invalid="ignore"):
            return repr(fit(arg))
    except np.linalg.LinAlgError:
        return "LinAlgError"


@pytest.mark.parametrize(
    ("bad", "raises"),
    [((math.nan, 1.0, 0.5), True), ((3.0, math.inf, 0.5), False), ((3.0, 1.0, -0.5), True)],
)
def test_a_point_lapack_cannot_take_fails_as_numpys_lstsq(
    bad: tuple[float, float, float], raises: bool
) -> None:
    """A non-finite point or a negative weight (the follow never makes one: its weights are
    contrasts above 0): crease27's fit ends as `_fit_plain` (np.linalg.lstsq) does, LinAlgError
    where that raises it, the same (nan) line where it does not."""
    pts = [(0.0, 0.5, 0.3), (10.0, 0.7, 0.4), bad]
    points = crease27._Points()
    for p in pts:
        points.append(*p)
    plain = _outcome(crease27._fit_plain, pts)
    assert (plain == "LinAlgError") is raises
    assert _outcome(crease27._fit, points) == plain
